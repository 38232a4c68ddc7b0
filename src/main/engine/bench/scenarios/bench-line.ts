/**
 * The line's own path for the benchmark's scenarios: an encoded frame →
 * InspectionPipeline (sharp decode and resize, the tensor loop, the model's
 * worker, batching as the mode says) → the decision → a row appended to a
 * log worker (a SQLite file of the benchmark's own). Each frame's time is
 * split by stage as the station's status splits it.
 */
import type { InferenceConfig } from '../../../../shared/config';
import { verdictOf } from '../../line/verdict';
import type { SessionSettings } from '../../inference/session-settings';
import type { WorkerEntry } from '../../inference/worker-entry';
import type { ImageModelPackage } from '../../model-package';
import { loadImageModel, type LoadedModel } from '../../models/loaded-model';
import { InspectionPipeline, type PipelineOptions } from '../../pipeline/inspection-pipeline';
import type { LogClient } from '../../log/log-client';

export interface FrameTiming {
  /** Offered (or, at line rate, due) → decided and logged. */
  readonly latencyMs: number;
  /** Waiting in the pipeline's queue before decoding started (the pipeline's StageTimings.queueMs). */
  readonly queueMs: number;
  readonly decodeMs: number;
  readonly preprocessMs: number;
  /** The batch's inference time ÷ the frames in it. */
  readonly inferenceMs: number;
  readonly decisionMs: number;
  readonly logMs: number;
  /** Dropped, unreadable or a model error: rejected fail-safe, as on the line. */
  readonly failed: boolean;
  readonly doneAt: number;
}

interface Offered {
  readonly image: Uint8Array;
  readonly offeredAt: number;
}

export class BenchLine {
  private seq = 0;
  /** Every pipeline made for a scenario: a cancelled one still has frames in it, answered before the model closes. */
  private readonly pipelines: InspectionPipeline<Offered>[] = [];

  private constructor(
    readonly model: LoadedModel,
    private readonly log: LogClient,
  ) {}

  static async open(
    pkg: ImageModelPackage,
    opts: { settings: SessionSettings; entry: WorkerEntry; mode: InferenceConfig['mode']; batch: number; log: LogClient },
  ): Promise<BenchLine> {
    const model = await loadImageModel(pkg, { settings: opts.settings, entry: opts.entry, mode: opts.mode, maxBatch: opts.batch });
    return new BenchLine(model, opts.log);
  }

  get batchSize(): number {
    return this.model.batchSize;
  }

  get provider(): string {
    return this.model.client.info.provider;
  }

  /** A pipeline for one scenario; every frame offered to it is answered once through `done`. */
  pipeline(options: Partial<PipelineOptions>, done: (t: FrameTiming) => void): (image: Uint8Array, offeredAt?: number) => void {
    const { pkg } = this.model;
    const rejectIndex = pkg.rejectIndex ?? 0;
    const thresholds = pkg.manifest.thresholds;
    const pipeline = new InspectionPipeline<Offered>(
      () => this.model,
      (item, outcome) => {
        const t0 = performance.now();
        // The line's own verdict (line/verdict.ts): a failed stage or an invalid score is a reject with its reason.
        // The scenarios time the deadline themselves (line_rate counts the frames that missed it).
        const { decision, failSafeReason, rejectScore } = verdictOf(
          outcome.kind === 'scored' ? { kind: 'scored', probabilities: outcome.probabilities, labels: pkg.labels, rejectIndex } : outcome,
          { thresholds, capturedAt: item.offeredAt, now: t0, deadlineMs: Number.POSITIVE_INFINITY, storageVeto: null },
        );
        const t1 = performance.now();
        const { timings } = outcome;
        this.log.append({
          frameId: ++this.seq,
          capturedAt: new Date().toISOString(),
          origin: 'benchmark',
          modelName: pkg.manifest.name,
          modelVersion: pkg.manifest.version,
          rejectScore,
          scores: null,
          decision,
          failSafeReason,
          decodeMs: timings.decodeMs,
          preprocessMs: timings.preprocessMs,
          inferenceMs: timings.inferenceMs,
          decisionMs: t1 - t0,
          totalMs: t1 - item.offeredAt,
        });
        const t2 = performance.now();
        done({
          latencyMs: t2 - item.offeredAt,
          queueMs: timings.queueMs,
          decodeMs: timings.decodeMs ?? 0,
          preprocessMs: timings.preprocessMs ?? 0,
          inferenceMs: timings.inferenceMs === null ? 0 : timings.inferenceMs / (timings.batchSize ?? 1),
          decisionMs: t1 - t0,
          logMs: t2 - t1,
          failed: outcome.kind === 'failed',
          doneAt: t2,
        });
      },
      options,
    );
    this.pipelines.push(pipeline);
    return (image, offeredAt = performance.now()) => pipeline.submit({ image, offeredAt });
  }

  /** Once every frame offered has been answered (and logged), the model's worker is closed. */
  async close(): Promise<void> {
    await Promise.all(this.pipelines.map((p) => p.whenIdle()));
    await this.model.client.close();
  }
}
