/**
 * The engine's figures for a model: frames already decoded (raw pixels, as
 * a camera buffer) go through the line's own path — resize and tensor loop
 * (sharp), the model's worker, the pipeline (latency or throughput mode), the
 * decision.
 *
 * Two ways of offering frames, two measures:
 * - one at a time, as a camera slower than the model would: the latency of a
 *   frame, decoded frame → decision;
 * - back to back, as a line at full speed, so decoding the next frames
 *   overlaps the inference of the current ones: the time per frame.
 */
import type { InferenceConfig } from '../../../shared/config';
import { verdictOf } from '../line/verdict';
import type { SessionSettings } from '../inference/session-settings';
import type { WorkerEntry } from '../inference/worker-entry';
import type { ImageModelPackage } from '../model-package';
import { loadImageModel, type LoadedModel } from '../models/loaded-model';
import { InspectionPipeline } from '../pipeline/inspection-pipeline';
import type { RawImage } from '../preprocess/image-decoder';
import type { Budget } from './raw-runner';

export interface StreamFigures {
  /** Decoded frame submitted → decision, ms, each frame. */
  readonly latencyMs: number[];
  /** When each decision was made (performance.now()), in order. */
  readonly completions: number[];
  failed: number;
}

export class EngineRunner {
  private constructor(
    private readonly model: LoadedModel,
    private readonly frames: readonly RawImage[],
  ) {}

  static async create(
    pkg: ImageModelPackage,
    opts: {
      readonly settings: SessionSettings;
      readonly entry: WorkerEntry;
      readonly mode: InferenceConfig['mode'];
      readonly batch: number;
      readonly frames: readonly RawImage[];
    },
  ): Promise<EngineRunner> {
    const model = await loadImageModel(pkg, { settings: opts.settings, entry: opts.entry, mode: opts.mode, maxBatch: opts.batch });
    const runner = new EngineRunner(model, opts.frames);
    await runner.measure(2 * model.batchSize, { minRuns: 2 * model.batchSize, minMs: 0 }); // pipeline warm-up: buffers, sharp, JIT
    return runner;
  }

  get batchSize(): number {
    return this.model.batchSize;
  }

  /** Keeps `depth` frames in the pipeline until the budget (in frames) is spent. */
  async measure(depth: number, budget: Budget): Promise<StreamFigures> {
    const model = this.model;
    const thresholds = model.pkg.manifest.thresholds;
    const rejectIndex = model.pkg.rejectIndex ?? 0;
    const figures: StreamFigures = { latencyMs: [], completions: [], failed: 0 };
    let submitted = 0;
    const startedAt = performance.now();
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((r) => (resolveDone = r));
    const pipeline = new InspectionPipeline<{ image: RawImage; submittedAt: number }>(
      () => model,
      (item, outcome) => {
        const now = performance.now();
        // The line's own verdict (line/verdict.ts); no deadline here: the figures measure how long it took.
        verdictOf(outcome.kind === 'scored' ? { kind: 'scored', probabilities: outcome.probabilities, labels: model.pkg.labels, rejectIndex } : outcome, {
          thresholds,
          capturedAt: item.submittedAt,
          now,
          deadlineMs: Number.POSITIVE_INFINITY,
          storageVeto: null,
        });
        if (outcome.kind === 'failed') figures.failed++;
        figures.latencyMs.push(now - item.submittedAt);
        figures.completions.push(now);
        if (submitted < budget.minRuns || now - startedAt < budget.minMs) submit();
        else if (pipeline.inProgress === 0) resolveDone();
      },
      { queueLimit: depth, maxWaitMs: 10 },
    );
    const submit = (): void => {
      pipeline.submit({ image: this.frames[submitted % this.frames.length]!, submittedAt: performance.now() });
      submitted++;
    };
    for (let i = 0; i < depth; i++) submit();
    await done;
    return figures;
  }

  close(): Promise<void> {
    return this.model.client.close();
  }
}
