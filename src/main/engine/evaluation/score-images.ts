/**
 * Scores a set of images with a model package, in batches, on this thread.
 * For offline work (evaluation, calibration, training scripts), never for the
 * live line: onnxruntime-node's run() blocks the calling thread.
 */
import * as ort from 'onnxruntime-node';
import type { ModelPackage } from '../model-package';
import { Preprocessor } from '../preprocess/preprocessor';
import { rejectScoresFromOutput } from '../scores';

export async function scoreImages(pkg: ModelPackage, images: readonly Uint8Array[], onProgress?: (done: number, total: number) => void): Promise<Float64Array> {
  const { manifest } = pkg;
  const session = await ort.InferenceSession.create(pkg.bytes, { intraOpNumThreads: 1 });
  try {
    const pre = new Preprocessor(manifest);
    const perImage = pre.dims.slice(1).reduce((a, b) => a * b, 1);
    const batchSize = manifest.input.batch === 'dynamic' ? 32 : 1;
    const batch = new Float32Array(batchSize * perImage);
    const scores = new Float64Array(images.length);
    for (let i = 0; i < images.length; i += batchSize) {
      const n = Math.min(batchSize, images.length - i);
      for (let j = 0; j < n; j++) await pre.prepare(images[i + j]!, batch.subarray(j * perImage, (j + 1) * perImage));
      const input = new ort.Tensor('float32', batch.subarray(0, n * perImage), [n, ...pre.dims.slice(1)]);
      const out = await session.run({ [manifest.input.name]: input }, [manifest.output.name]);
      const tensor = out[manifest.output.name]!;
      const rows = rejectScoresFromOutput(tensor.data as Float32Array, n, manifest.labels.length, pkg.rejectIndex, manifest.output.scores);
      scores.set(rows, i);
      onProgress?.(i + n, images.length);
    }
    return scores;
  } finally {
    await session.release();
  }
}
