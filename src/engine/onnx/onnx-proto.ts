/**
 * onnx-proto ships CommonJS with a namespace export; this is the one place
 * that knows how to reach it from both ESM (vitest, tsx) and the CJS bundle.
 */
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type { onnx as OnnxTypes } from 'onnx-proto';
