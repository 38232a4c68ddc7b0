/**
 * Scores a set of images with an image model package, in batches, on this
 * thread, through the same preparation (checks, repairs) and preprocessing as
 * the line. For offline work (evaluation, calibration, training scripts),
 * never for the live line: onnxruntime-node's run() blocks the calling thread.
 */
import * as ort from 'onnxruntime-node';
import { createSession } from '../inference/session-factory';
import type { SessionSettings } from '../inference/session-settings';
import type { ImageModelPackage } from '../model-package';
import { prepareModel } from '../model-prep/prepare-model';
import type { ImageInput } from '../preprocess/image-decoder';
import { Preprocessor } from '../preprocess/preprocessor';
import { probabilitiesFromOutput } from '../scores';

export const OFFLINE_SESSION: SessionSettings = {
  providers: ['cpu'],
  intraOpThreads: 1,
  interOpThreads: 1,
  spinning: false,
  graphOptimization: 'all',
  executionMode: 'sequential',
  memoryArena: true,
  warmupRuns: 0,
};

/** Per-label probabilities of every image, row-major [images × labels]. */
export async function scoreImages(
  pkg: ImageModelPackage,
  images: readonly ImageInput[],
  onProgress?: (done: number, total: number) => void,
  settings: SessionSettings = OFFLINE_SESSION,
): Promise<Float64Array> {
  const { manifest, labels } = pkg;
  const prepared = prepareModel({ file: pkg.modelPath, bytes: pkg.bytes, manifest, labels });
  const { session } = await createSession(prepared.bytes, settings);
  try {
    const pre = new Preprocessor(manifest);
    const batchSize = manifest.input.batch === 'dynamic' ? 32 : 1;
    const batch = new Float32Array(batchSize * pre.itemSize);
    const out = new Float64Array(images.length * labels.length);
    for (let i = 0; i < images.length; i += batchSize) {
      const n = Math.min(batchSize, images.length - i);
      for (let j = 0; j < n; j++) await pre.prepare(images[i + j]!, batch, j);
      const input = new ort.Tensor('float32', batch.subarray(0, n * pre.itemSize), pre.batchDims(n));
      const result = await session.run({ [manifest.input.name]: input }, [manifest.output.name]);
      const tensor = result[manifest.output.name]!;
      out.set(probabilitiesFromOutput(tensor.data as Float32Array, n, labels.length, manifest.output.scores), i * labels.length);
      onProgress?.(i + n, images.length);
    }
    return out;
  } finally {
    await session.release();
  }
}

/** The reject label's probability of every image. */
export async function scoreRejects(
  pkg: ImageModelPackage,
  images: readonly ImageInput[],
  onProgress?: (done: number, total: number) => void,
): Promise<Float64Array> {
  if (pkg.rejectIndex === null) throw new Error(`${pkg.manifest.name} names no rejectLabel`);
  const probs = await scoreImages(pkg, images, onProgress);
  const classes = pkg.labels.length;
  return Float64Array.from({ length: images.length }, (_, i) => probs[i * classes + pkg.rejectIndex!]!);
}
