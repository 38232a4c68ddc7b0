/**
 * Classifies image files through the engine's own path (checks and repairs,
 * the model's worker, the preprocessing, the pipeline) and returns the top
 * labels of each: what `npm run classify` prints, and how real models are
 * checked against their reference results.
 */
import type { SessionSettings } from '../inference/session-settings';
import type { WorkerEntry } from '../rpc/worker-entry';
import type { ImageModelPackage } from '../model-package';
import { loadImageModel } from '../models/loaded-model';
import { InspectionPipeline, type Outcome } from '../pipeline/inspection-pipeline';

export interface Ranked {
  readonly index: number;
  readonly label: string;
  readonly p: number;
}

export interface Classified {
  readonly name: string;
  readonly top: readonly Ranked[];
  /** Why the image got no scores (unreadable, model error). */
  readonly error?: string;
}

/** The k highest of a probability row, best first. */
export function topK(probabilities: ArrayLike<number>, labels: readonly string[], k: number): Ranked[] {
  return Array.from({ length: probabilities.length }, (_, index) => ({ index, label: labels[index] ?? String(index), p: probabilities[index]! }))
    .sort((a, b) => b.p - a.p)
    .slice(0, k);
}

export interface ClassifyRun {
  readonly provider: string;
  readonly notes: readonly string[];
  readonly results: readonly Classified[];
}

export async function classifyImages(
  pkg: ImageModelPackage,
  images: readonly { readonly name: string; readonly data: Uint8Array }[],
  opts: { readonly settings: SessionSettings; readonly entry: WorkerEntry; readonly k?: number },
): Promise<ClassifyRun> {
  const model = await loadImageModel(pkg, { settings: opts.settings, entry: opts.entry, mode: 'latency', maxBatch: 1 });
  try {
    const results: Classified[] = [];
    const toResult = (name: string, outcome: Outcome): Classified =>
      outcome.kind === 'scored'
        ? { name, top: topK(outcome.probabilities, pkg.labels, opts.k ?? 5) }
        : { name, top: [], error: `${outcome.stage} failed: ${outcome.reason}` };
    // Files are not a camera: nothing may be dropped, so the queue holds them all.
    const pipeline = new InspectionPipeline<{ name: string; image: Uint8Array }>(
      () => model,
      (item, outcome) => results.push(toResult(item.name, outcome)),
      { queueLimit: Math.max(4, images.length) },
    );
    for (const image of images) pipeline.submit({ name: image.name, image: image.data });
    await pipeline.whenIdle();
    return { provider: model.client.info.provider, notes: model.client.info.notes, results };
  } finally {
    await model.client.close();
  }
}
