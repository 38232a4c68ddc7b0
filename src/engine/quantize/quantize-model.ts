/**
 * INT8 static quantisation of an image model (issue 18): the float model as
 * the station runs it (repairs applied), made ready (prepare-graph.ts), its
 * activations measured on calibration frames through the line's own
 * preprocessing (activation-ranges.ts), and written again in QDQ form
 * (qdq-rewrite.ts). The result is a model package of its own — a variant
 * with its provenance, `precision: "reduced"` — that goes live only through
 * the parity gate and with its recall certified again (Calibrate).
 */
import { createHash } from 'node:crypto';
import * as ort from 'onnxruntime-node';
import type { ImageModelManifest } from '../../shared/manifest';
import type { ImageModelPackage } from '../model-package';
import { prepareModel } from '../model-prep/prepare-model';
import { onnx } from '../onnx/onnx-proto';
import type { ImageInput } from '../preprocess/image-decoder';
import { Preprocessor } from '../preprocess/preprocessor';
import { measuringModel, RangeCollector, tensorsToMeasure, type RangeMethod } from './activation-ranges';
import { prepareGraph } from './prepare-graph';
import { rewriteQdq, type QdqReport } from './qdq-rewrite';
import { spaceToDepthStems } from './space-to-depth';
import { QuantizeError } from './tensor-data';

export interface QuantizeOptions {
  readonly method: RangeMethod;
  /** Node names (or output names) left in float. */
  readonly exclude?: readonly string[];
  /** Quantise the classifier head too (qdq-rewrite.ts: off by default). */
  readonly quantizeHead?: boolean;
  /** Calibration frames at once (a batch; 1 for a fixed-batch model). */
  readonly batch?: number;
  readonly threads?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface QuantizedModel {
  readonly bytes: Uint8Array;
  readonly sha256: string;
  readonly manifest: ImageModelManifest;
  readonly report: QdqReport & {
    readonly frames: number;
    readonly foldedBatchNorms: number;
    readonly opsetFrom: number;
    readonly method: RangeMethod;
    /** Stride-2 stems over the picture rewritten on SpaceToDepth (space-to-depth.ts). */
    readonly spaceToDepthStems: number;
  };
}

export const INT8_SUFFIX = '-int8';

export async function quantizeModel(pkg: ImageModelPackage, frames: readonly ImageInput[], opts: QuantizeOptions): Promise<QuantizedModel> {
  if (frames.length === 0) throw new QuantizeError('no calibration frames: give it pictures of the line (good and defective)');
  if (pkg.manifest.precision === 'reduced') throw new QuantizeError(`${pkg.manifest.name} ${pkg.manifest.version} is already reduced precision`);
  const { bytes } = prepareModel({ file: pkg.modelPath, bytes: pkg.bytes, manifest: pkg.manifest, labels: pkg.labels });
  const model = onnx.ModelProto.decode(bytes);
  const prepared = prepareGraph(model);
  // Before measuring: the rewritten stem reads SpaceToDepth's output, whose range is then measured like any other.
  const spaceToDepthStemCount = spaceToDepthStems(model.graph!);
  const tensors = tensorsToMeasure(model);
  const session = await ort.InferenceSession.create(measuringModel(model, tensors), {
    graphOptimizationLevel: 'disabled',
    executionProviders: ['cpu'],
    intraOpNumThreads: opts.threads ?? 1,
  });
  const collector = new RangeCollector(opts.method);
  try {
    const pre = new Preprocessor(pkg.manifest);
    const batch = pkg.manifest.input.batch === 'fixed' ? 1 : Math.max(1, opts.batch ?? 8);
    for (let start = 0; start < frames.length; start += batch) {
      const n = Math.min(batch, frames.length - start);
      const data = new Float32Array(n * pre.itemSize);
      for (let i = 0; i < n; i++) await pre.prepare(frames[start + i]!, data, i);
      const out = await session.run({ [pkg.manifest.input.name]: new ort.Tensor('float32', data, pre.batchDims(n)) }, tensors);
      for (const name of tensors) collector.observe(name, out[name]!.data as Float32Array);
      opts.onProgress?.(start + n, frames.length);
    }
  } finally {
    await session.release();
  }
  const report = rewriteQdq(model, collector.ranges(), { exclude: new Set(opts.exclude ?? []), quantizeHead: opts.quantizeHead ?? false });
  const qbytes = onnx.ModelProto.encode(model).finish();
  const sha256 = createHash('sha256').update(qbytes).digest('hex');
  // The float model's calibration does not vouch for the variant (its recall is certified again: Calibrate), nor does
  // its parity record (its check pictures stay in the float package; the station records the variant's own).
  const { calibration: _floatCalibration, parity: _floatParity, ...manifest } = pkg.manifest;
  return {
    bytes: qbytes,
    sha256,
    manifest: {
      ...manifest,
      version: `${manifest.version}${INT8_SUFFIX}`,
      description: `${manifest.description ?? manifest.name}: INT8 (QDQ) variant, ${opts.method.kind === 'percentile' ? `percentile ${opts.method.percentile}` : opts.method.kind === 'mse' ? 'least-squared-error' : 'MinMax'} ranges from ${frames.length} frames`,
      sha256,
      precision: 'reduced',
      provenance: {
        ...(manifest.provenance ?? {}),
        quantizedFrom: { name: manifest.name, version: manifest.version, sha256: manifest.sha256 },
        quantization: {
          format: 'QDQ',
          weights: 'int8 symmetric per channel',
          activations: 'uint8 asymmetric',
          method: opts.method,
          frames: frames.length,
          excluded: [...(opts.exclude ?? [])],
          head: opts.quantizeHead ? 'int8' : 'float',
          ...(spaceToDepthStemCount > 0 ? { stem: 'space-to-depth' } : {}),
        },
      },
    },
    report: {
      ...report,
      frames: frames.length,
      foldedBatchNorms: prepared.foldedBatchNorms,
      opsetFrom: prepared.opsetFrom,
      method: opts.method,
      spaceToDepthStems: spaceToDepthStemCount,
    },
  };
}
