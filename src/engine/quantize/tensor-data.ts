/**
 * Reading and writing the initialisers the quantiser touches (issue 18): a
 * float tensor as a Float32Array whatever way it was stored (raw bytes or
 * float_data), and the int8 / uint8 / int32 / float tensors it writes back,
 * always as raw little-endian bytes.
 */
import { onnx, type OnnxTypes } from '../onnx/onnx-proto';

const T = onnx.TensorProto.DataType;

export class QuantizeError extends Error {
  override readonly name = 'QuantizeError';
}

export function floatsOf(t: OnnxTypes.ITensorProto): Float32Array {
  if (t.dataType !== T.FLOAT) throw new QuantizeError(`initialiser ${t.name} is not float32 (type ${t.dataType}): it is left as it is`);
  if (t.rawData && t.rawData.length > 0) {
    const raw = t.rawData;
    // A copy: the proto's bytes may sit at an offset that is not a multiple of 4.
    return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  }
  return Float32Array.from(t.floatData ?? []);
}

export function dimsOf(t: OnnxTypes.ITensorProto): number[] {
  return (t.dims ?? []).map((d) => Number(d));
}

function raw(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

export function int8Tensor(name: string, dims: readonly number[], values: Int8Array): OnnxTypes.ITensorProto {
  return { name, dims: [...dims], dataType: T.INT8, rawData: raw(values) };
}

export function uint8Tensor(name: string, dims: readonly number[], values: Uint8Array): OnnxTypes.ITensorProto {
  return { name, dims: [...dims], dataType: T.UINT8, rawData: raw(values) };
}

export function int32Tensor(name: string, dims: readonly number[], values: Int32Array): OnnxTypes.ITensorProto {
  return { name, dims: [...dims], dataType: T.INT32, rawData: raw(values) };
}

export function floatTensor(name: string, dims: readonly number[], values: Float32Array): OnnxTypes.ITensorProto {
  return { name, dims: [...dims], dataType: T.FLOAT, rawData: raw(values) };
}
