/**
 * The line's own path for the benchmark's scenarios: the station's
 * InspectionLine (line/inspection-line.ts: admission, deadline, the pipeline
 * with sharp's decode and resize, the model's worker, batching as the mode
 * says, the verdict) with a log worker of the benchmark's own as its log and
 * no reject output. Each frame's time is split by stage as the station's
 * status splits it.
 */
import type { InferenceConfig } from '../../../shared/config';
import type { SessionSettings } from '../../inference/session-settings';
import type { WorkerEntry } from '../../rpc/worker-entry';
import { InspectionLine, SYSTEM_CLOCK, type DecidedItem, type LineClock, type LineSinks } from '../../line/inspection-line';
import type { DecisionRules } from '../../line/verdict';
import type { ImageModelPackage } from '../../model-package';
import { loadImageModel, type LoadedModel } from '../../models/loaded-model';
import type { PipelineOptions } from '../../pipeline/inspection-pipeline';

/** Where the benchmark's rows go: a log worker of its own (plan-runner.ts), as the station's go to its own. */
export type BenchLog = NonNullable<LineSinks['log']>;

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

export class BenchLine {
  private seq = 0;
  /** Every line made for a scenario: a cancelled one still has frames in it, answered before the model closes. */
  private readonly lines: InspectionLine[] = [];

  private constructor(
    readonly model: LoadedModel,
    private readonly log: BenchLog,
    private readonly rules: DecisionRules,
    private readonly clock: LineClock,
  ) {}

  static async open(
    pkg: ImageModelPackage,
    opts: {
      settings: SessionSettings;
      entry: WorkerEntry;
      mode: InferenceConfig['mode'];
      batch: number;
      log: BenchLog;
      rules: DecisionRules;
      /** The station's clock unless a test sets one. */
      clock?: LineClock;
    },
  ): Promise<BenchLine> {
    const model = await loadImageModel(pkg, { settings: opts.settings, entry: opts.entry, mode: opts.mode, maxBatch: opts.batch });
    return new BenchLine(model, opts.log, opts.rules, opts.clock ?? SYSTEM_CLOCK);
  }

  get batchSize(): number {
    return this.model.batchSize;
  }

  get provider(): string {
    return this.model.client.info.provider;
  }

  /**
   * A line for one scenario; every frame offered to it is answered once through `done`. `deadline`: the
   * station's deadline rejects a frame not decided in time (line rate); without it the frame's whole time is
   * measured (the capacity scenarios, whose frames wait in a deep queue by design). Staleness always applies.
   */
  pipeline(
    options: Partial<PipelineOptions>,
    done: (t: FrameTiming) => void,
    deadline: 'enforced' | 'measured' = 'measured',
  ): (image: Uint8Array, offeredAt?: number) => void {
    const { pkg } = this.model;
    const rules = deadline === 'enforced' ? this.rules : { ...this.rules, deadlineMs: Number.POSITIVE_INFINITY };
    const line = new InspectionLine(
      {
        model: () => this.model,
        thresholds: () => pkg.manifest.thresholds,
        pausedBecause: () => null,
        storageVeto: () => null,
      },
      rules,
      { log: this.log, decided: (d) => done(frameTiming(d)) },
      options,
      this.clock,
    );
    this.lines.push(line);
    return (image, offeredAt = performance.now()) => {
      // Captured when it was due: a frame offered late by the timer is as old as a camera's would be.
      const capturedAt = Date.now() - (performance.now() - offeredAt);
      line.offer({ id: ++this.seq, capturedAt, data: image, origin: 'benchmark' }, offeredAt);
    };
  }

  /** Once every frame offered has been answered (and logged), the model's worker is closed. */
  async close(): Promise<void> {
    await Promise.all(this.lines.map((l) => l.stop()));
    await this.model.client.close();
  }
}

function frameTiming({ item, receivedAt, doneAt, logMs }: DecidedItem): FrameTiming {
  const { timings } = item;
  return {
    latencyMs: doneAt - receivedAt,
    queueMs: timings.queueMs,
    decodeMs: timings.decodeMs ?? 0,
    preprocessMs: timings.preprocessMs ?? 0,
    inferenceMs: timings.inferenceMs === null ? 0 : timings.inferenceMs / (timings.batchSize ?? 1),
    decisionMs: item.decisionMs ?? 0,
    logMs,
    failed: item.verdict.failSafeReason !== null,
    doneAt,
  };
}
