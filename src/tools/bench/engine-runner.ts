/**
 * The engine's figures for a model: frames already decoded (raw pixels, as
 * a camera buffer) go through the station's own line (line/inspection-line.ts:
 * resize and tensor loop with sharp, the model's worker, the pipeline in
 * latency or throughput mode, the verdict), with no log and no output: the
 * figures are the decision's, and the log has figures of its own (log.*).
 *
 * Two ways of offering frames, two measures:
 * - one at a time, as a camera slower than the model would: the latency of a
 *   frame, decoded frame → decision;
 * - back to back, as a line at full speed, so decoding the next frames
 *   overlaps the inference of the current ones: the time per frame.
 */
import type { InferenceConfig } from '../../shared/config';
import { InspectionLine } from '../../engine/line/inspection-line';
import type { SessionSettings } from '../../engine/inference/session-settings';
import type { WorkerEntry } from '../../engine/rpc/worker-entry';
import type { ImageModelPackage } from '../../engine/model-package';
import { loadImageModel, type LoadedModel } from '../../engine/models/loaded-model';
import type { RawImage } from '../../engine/preprocess/image-decoder';
import type { Budget } from '../../engine/bench/raw-runner';

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

  /** Keeps `depth` frames in the line until the budget (in frames) is spent. */
  async measure(depth: number, budget: Budget): Promise<StreamFigures> {
    const model = this.model;
    const figures: StreamFigures = { latencyMs: [], completions: [], failed: 0 };
    let submitted = 0;
    const startedAt = performance.now();
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((r) => (resolveDone = r));
    // No deadline and no staleness here: the figures measure how long the line took, however long.
    const line = new InspectionLine(
      { model: () => model, thresholds: () => model.pkg.manifest.thresholds, pausedBecause: () => null, storageVeto: () => null },
      { staleMs: Number.POSITIVE_INFINITY, deadlineMs: Number.POSITIVE_INFINITY },
      {
        decided: ({ item, receivedAt, doneAt }) => {
          if (item.verdict.failSafeReason !== null) figures.failed++;
          figures.latencyMs.push(doneAt - receivedAt);
          figures.completions.push(doneAt);
          if (submitted < budget.minRuns || doneAt - startedAt < budget.minMs) submit();
          else if (line.undecided === 0) resolveDone();
        },
      },
      { queueLimit: depth, maxWaitMs: 10 },
    );
    const submit = (): void => {
      submitted++;
      line.offer({ id: submitted, capturedAt: Date.now(), data: this.frames[(submitted - 1) % this.frames.length]!, origin: 'bench' });
    };
    for (let i = 0; i < depth; i++) submit();
    await done;
    return figures;
  }

  close(): Promise<void> {
    return this.model.client.close();
  }
}
