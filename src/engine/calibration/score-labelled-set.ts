/**
 * Scores labelled pictures through the line's own path (issue 15): the
 * model loaded as the line runs it (its worker, provider, threads, batch,
 * precision), the line's decode and preprocessing, the pipeline the line
 * uses — so the thresholds certified on these scores hold for the scores the
 * line will compute. Pictures are read a chunk at a time (memory stays flat
 * whatever the size of the set); progress after each chunk; an abort stops
 * at the next chunk.
 */
import { readPictures, MAX_PICTURE_BYTES, type PictureLimits } from '../labelled/read-pictures';
import type { LoadedModel } from '../models/loaded-model';
import { InspectionPipeline } from '../pipeline/inspection-pipeline';

export interface PictureToScore {
  readonly name: string;
  readonly path: string;
}

export interface ScoredSet {
  /** The reject label's probability of each picture, in order; NaN where it could not be scored. */
  readonly scores: Float64Array;
  /** The pictures that could not be scored, and why (the first 20). */
  readonly failures: readonly { readonly name: string; readonly reason: string }[];
  readonly unscored: number;
}

export class ScoringCancelled extends Error {
  override readonly name = 'ScoringCancelled';
}

const CHUNK = 32;

export async function scoreLabelledSet(
  model: LoadedModel,
  pictures: readonly PictureToScore[],
  opts: { readonly onProgress?: (done: number, total: number) => void; readonly signal?: AbortSignal; readonly limits?: PictureLimits } = {},
): Promise<ScoredSet> {
  const rejectIndex = model.pkg.rejectIndex;
  if (rejectIndex === null) throw new Error(`the model ${model.pkg.manifest.name} names no rejectLabel: it cannot be calibrated`);
  const scores = new Float64Array(pictures.length).fill(Number.NaN);
  const failures: { name: string; reason: string }[] = [];
  let unscored = 0;
  const fail = (name: string, reason: string): void => {
    unscored++;
    if (failures.length < 20) failures.push({ name, reason });
  };
  // Pictures are not a camera: none may be dropped, so the queue holds a whole chunk.
  const pipeline = new InspectionPipeline<{ index: number; image: Uint8Array }>(
    () => model,
    (item, outcome) => {
      if (outcome.kind === 'scored') scores[item.index] = outcome.probabilities[rejectIndex]!;
      else fail(pictures[item.index]!.name, `${outcome.stage}: ${outcome.reason}`);
    },
    { queueLimit: CHUNK, preprocessConcurrency: 2 },
  );
  for (let start = 0; start < pictures.length; start += CHUNK) {
    if (opts.signal?.aborted) throw new ScoringCancelled('scoring was cancelled');
    const chunk = pictures.slice(start, start + CHUNK);
    const read = await readPictures(
      chunk.map((p) => p.path),
      opts.limits ?? { maxBytes: MAX_PICTURE_BYTES },
    );
    read.forEach((image, k) => {
      if (image instanceof Error) fail(chunk[k]!.name, `cannot read it: ${image.message}`);
      else pipeline.submit({ index: start + k, image });
    });
    await pipeline.whenIdle();
    opts.onProgress?.(Math.min(start + CHUNK, pictures.length), pictures.length);
  }
  return { scores, failures, unscored };
}
