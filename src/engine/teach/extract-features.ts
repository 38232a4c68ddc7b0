/**
 * The pooled backbone features of labelled pictures (issue 15), through the
 * line's own decode and preprocessing (preprocess/preprocessor.ts, with the
 * backbone's manifest) and the feature model (taught-model.ts). Runs on the
 * calling thread — the teach worker's (teach-worker.ts), at low priority —
 * with one inference thread, so the line keeps a core. Pictures are read a
 * few at a time; memory holds only the features (6,500 × 1,024 floats ≈ 27 MB).
 */
import * as ort from 'onnxruntime-node';
import type { BackboneManifest } from '../../shared/teach';
import { OFFLINE_SESSION } from '../evaluation/score-images';
import { createSession } from '../inference/session-factory';
import { readPictures, MAX_PICTURE_BYTES, type PictureLimits } from '../labelled/read-pictures';
import { Preprocessor } from '../preprocess/preprocessor';
import { FEATURES_OUTPUT } from './taught-model';

export interface FeaturePicture {
  readonly name: string;
  readonly path: string;
}

export interface ExtractedFeatures {
  /** pictures × width, row-major; the rows of unreadable pictures are left out (see `kept`). */
  readonly features: Float32Array;
  readonly width: number;
  /** Index into the pictures of each row of `features`. */
  readonly kept: Int32Array;
  readonly failures: readonly { readonly name: string; readonly reason: string }[];
  readonly failed: number;
}

export class TeachingCancelled extends Error {
  override readonly name = 'TeachingCancelled';
}

const CHUNK = 16;

export async function extractFeatures(
  featureModelBytes: Uint8Array,
  backbone: Pick<BackboneManifest, 'input' | 'preprocessing'>,
  pictures: readonly FeaturePicture[],
  opts: { readonly onProgress?: (done: number, total: number) => void; readonly signal?: AbortSignal; readonly limits?: PictureLimits } = {},
): Promise<ExtractedFeatures> {
  // The feature model takes float32 whatever the backbone's precision (taught-model.ts wraps a float16 one).
  const pre = new Preprocessor({ input: { ...backbone.input, dtype: 'float32' }, preprocessing: backbone.preprocessing });
  const { session } = await createSession(featureModelBytes, OFFLINE_SESSION);
  try {
    const inputName = session.inputNames[0]!;
    const slot = new Float32Array(pre.itemSize);
    const chunks: Float32Array[] = [];
    const kept: number[] = [];
    const failures: { name: string; reason: string }[] = [];
    let failed = 0;
    let width = 0;
    const fail = (name: string, reason: string): void => {
      failed++;
      if (failures.length < 20) failures.push({ name, reason });
    };
    for (let start = 0; start < pictures.length; start += CHUNK) {
      if (opts.signal?.aborted) throw new TeachingCancelled('teaching was cancelled');
      const chunk = pictures.slice(start, start + CHUNK);
      const bytes = await readPictures(
        chunk.map((p) => p.path),
        opts.limits ?? { maxBytes: MAX_PICTURE_BYTES },
      );
      for (let k = 0; k < chunk.length; k++) {
        const got = bytes[k]!;
        if (got instanceof Error) {
          fail(chunk[k]!.name, `cannot read it: ${got.message}`);
          continue;
        }
        try {
          await pre.prepare(got, slot, 0);
        } catch (err) {
          fail(chunk[k]!.name, `not a picture the line can decode: ${(err as Error).message}`);
          continue;
        }
        const out = await session.run({ [inputName]: new ort.Tensor('float32', slot, pre.batchDims(1)) }, [FEATURES_OUTPUT]);
        const row = out[FEATURES_OUTPUT]!.data as Float32Array;
        width = row.length;
        chunks.push(Float32Array.from(row));
        kept.push(start + k);
      }
      opts.onProgress?.(Math.min(start + CHUNK, pictures.length), pictures.length);
    }
    const features = new Float32Array(chunks.length * width);
    chunks.forEach((row, i) => features.set(row, i * width));
    return { features, width, kept: Int32Array.from(kept), failures, failed };
  } finally {
    await session.release();
  }
}
