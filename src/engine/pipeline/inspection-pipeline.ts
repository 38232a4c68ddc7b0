/**
 * Frames to per-label probabilities, as fast as the model's worker allows:
 *
 *   submit → waiting (bounded: the oldest is dropped, and still answered)
 *          → preprocess into a slot of a batch buffer (sharp, a few at once)
 *          → batch sent to the model's worker (latency mode: one frame;
 *            throughput mode: up to maxBatch, or what came within maxWaitMs)
 *          → outcomes delivered in the order the frames were submitted.
 *
 * Decoding the next frames overlaps the current inference, so on a 2-core PC
 * the worker keeps one core busy while sharp uses the other.
 *
 * Every submitted item gets exactly one outcome: scored, or failed with the
 * stage and the reason (dropped, unreadable, model error). A batch belongs to
 * the model that was current when its first frame was admitted, so a model
 * swap takes effect between two frames and no frame sees a half-loaded model.
 */
import type { LoadedModel } from '../models/loaded-model';
import type { ImageInput } from '../preprocess/image-decoder';
import { probabilitiesFromOutput } from '../scores';

export interface PipelineItem {
  readonly image: ImageInput;
}

export interface StageTimings {
  /** Waiting before preprocessing started. */
  readonly queueMs: number;
  readonly decodeMs: number | null;
  readonly preprocessMs: number | null;
  /** The batch's inference time, shared by its frames. */
  readonly inferenceMs: number | null;
  readonly batchSize: number | null;
}

/**
 * Where a frame failed; 'stale', 'deadline', 'paused' and 'source' are the engine's own (a frame too old to
 * judge, no decision in time, the line paused, a picture the source could not give).
 */
export type FailedStage = 'queue' | 'decode' | 'inference' | 'stale' | 'deadline' | 'paused' | 'source';

export type Outcome =
  | { readonly kind: 'scored'; readonly model: LoadedModel; readonly probabilities: Float64Array; readonly timings: StageTimings }
  | { readonly kind: 'failed'; readonly model: LoadedModel | null; readonly stage: FailedStage; readonly reason: string; readonly timings: StageTimings };

export interface PipelineOptions {
  /** Throughput mode: send a batch that has waited this long even if not full. */
  readonly maxWaitMs: number;
  /** Frames allowed to wait for preprocessing; beyond it one is dropped (and answered). */
  readonly queueLimit: number;
  /** Which one: the oldest waiting (fresh frames win), or the one that just came. */
  readonly dropPolicy: 'drop-oldest' | 'drop-newest';
  /** Frames decoded at once (sharp runs them on libuv's pool). */
  readonly preprocessConcurrency: number;
  /** Batches held at once (open, being filled, or with the worker). */
  readonly maxBatchesHeld: number;
}

/**
 * One frame decoded at a time by default: on a 2-core PC the model's worker has one core and sharp
 * the other; a second decode thread makes the thread serving the UI wait for a core (measured: the
 * event-loop delay p99 doubled, to 10 ms, with no gain in frames per second).
 */
export const DEFAULT_PIPELINE_OPTIONS: PipelineOptions = {
  maxWaitMs: 10,
  queueLimit: 4,
  dropPolicy: 'drop-oldest',
  preprocessConcurrency: 1,
  maxBatchesHeld: 3,
};

interface Entry<T> {
  readonly seq: number;
  readonly item: T;
  readonly submittedAt: number;
  admittedAt: number;
  decodeMs: number | null;
  preprocessMs: number | null;
  failure: string | null;
}

interface Batch<T> {
  readonly model: LoadedModel;
  readonly buffer: Float32Array;
  readonly entries: Entry<T>[];
  /** Slots still being preprocessed. */
  pending: number;
  closed: boolean;
  sent: boolean;
  timer: NodeJS.Timeout | null;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class InspectionPipeline<T extends PipelineItem> {
  private readonly options: PipelineOptions;
  private readonly waiting: Entry<T>[] = [];
  private readonly done = new Map<number, { item: T; outcome: Outcome }>();
  private readonly held = new Set<Batch<T>>();
  /** Frames placed in a batch slot, not yet decoding. */
  private readonly toPrepare: { entry: Entry<T>; batch: Batch<T>; slot: number }[] = [];
  private readonly idleWaiters: { model: LoadedModel | null; resolve: () => void }[] = [];
  private open: Batch<T> | null = null;
  private nextSeq = 0;
  private nextToDeliver = 0;
  private preprocessing = 0;
  /** Frames dropped because the pipeline was busy. */
  dropped = 0;

  constructor(
    private readonly currentModel: () => LoadedModel,
    private readonly deliver: (item: T, outcome: Outcome) => void,
    options: Partial<PipelineOptions> = {},
  ) {
    this.options = { ...DEFAULT_PIPELINE_OPTIONS, ...options };
  }

  /** Frames submitted and not yet delivered. */
  get inProgress(): number {
    return this.nextSeq - this.nextToDeliver;
  }

  submit(item: T): void {
    this.waiting.push({ seq: this.nextSeq++, item, submittedAt: performance.now(), admittedAt: 0, decodeMs: null, preprocessMs: null, failure: null });
    while (this.waiting.length > this.options.queueLimit) {
      const dropped = (this.options.dropPolicy === 'drop-oldest' ? this.waiting.shift() : this.waiting.pop())!;
      this.dropped++;
      this.complete(dropped, {
        kind: 'failed',
        model: null,
        stage: 'queue',
        reason: 'dropped: frames came faster than the model could score them',
        timings: this.timings(dropped, null, null),
      });
    }
    this.pump();
  }

  /** Resolves when every frame submitted so far has its outcome (model given: when none of its batches is held). */
  whenIdle(model: LoadedModel | null = null): Promise<void> {
    if (this.isIdle(model)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push({ model, resolve }));
  }

  private isIdle(model: LoadedModel | null): boolean {
    if (model) return ![...this.held].some((b) => b.model === model);
    return this.inProgress === 0;
  }

  private pump(): void {
    // Frames already waiting join a batch at once (a full queue fills a batch without waiting for
    // maxWaitMs); decoding them is what is limited to a few at a time.
    while (this.waiting.length > 0) {
      const model = this.currentModel();
      const batch = this.batchFor(model);
      if (!batch) break; // every batch buffer is in use: wait for one to come back
      const entry = this.waiting.shift()!;
      const slot = batch.entries.length;
      batch.entries.push(entry);
      batch.pending++;
      this.toPrepare.push({ entry, batch, slot });
      if (batch.entries.length >= model.batchSize) this.close(batch);
    }
    while (this.toPrepare.length > 0 && this.preprocessing < this.options.preprocessConcurrency) {
      const { entry, batch, slot } = this.toPrepare.shift()!;
      entry.admittedAt = performance.now();
      this.preprocessing++;
      batch.model.preprocessor
        .prepare(entry.item.image, batch.buffer, slot)
        .then(
          (t) => {
            entry.decodeMs = t.decodeMs;
            entry.preprocessMs = t.preprocessMs;
          },
          (err: unknown) => {
            entry.failure = message(err);
          },
        )
        .finally(() => {
          this.preprocessing--;
          batch.pending--;
          this.maybeSend(batch);
          this.pump();
        });
    }
  }

  /** The open batch of this model with room, or a new one; null when no more batches may be held. */
  private batchFor(model: LoadedModel): Batch<T> | null {
    const open = this.open;
    if (open && open.model === model && open.entries.length < model.batchSize) return open;
    if (open) this.close(open);
    if (this.held.size >= this.options.maxBatchesHeld) return null;
    const batch: Batch<T> = { model, buffer: model.client.acquireInput(), entries: [], pending: 0, closed: false, sent: false, timer: null };
    this.held.add(batch);
    if (model.batchSize > 1) {
      this.open = batch;
      batch.timer = setTimeout(() => this.close(batch), this.options.maxWaitMs);
    }
    return batch;
  }

  private close(batch: Batch<T>): void {
    if (batch.closed) return;
    batch.closed = true;
    if (batch.timer) clearTimeout(batch.timer);
    if (this.open === batch) this.open = null;
    this.maybeSend(batch);
  }

  private maybeSend(batch: Batch<T>): void {
    if (!batch.closed || batch.pending > 0 || batch.sent) return;
    batch.sent = true;
    void this.send(batch);
  }

  private async send(batch: Batch<T>): Promise<void> {
    const { model, entries } = batch;
    const n = entries.length;
    try {
      if (entries.every((e) => e.failure !== null)) {
        model.client.releaseInput(batch.buffer);
        for (const e of entries) this.completeDecodeFailure(e, model);
        return;
      }
      // A frame that could not be decoded keeps its slot (zeros or stale pixels); its output is ignored.
      let result;
      try {
        result = await model.client.run(batch.buffer, model.preprocessor.batchDims(n));
      } catch (err) {
        for (const e of entries) {
          if (e.failure !== null) this.completeDecodeFailure(e, model);
          else this.complete(e, { kind: 'failed', model, stage: 'inference', reason: message(err), timings: this.timings(e, null, n) });
        }
        return;
      }
      const classes = model.pkg.labels.length;
      let probabilities: Float64Array | null = null;
      let outputProblem: string | null = null;
      if (result.output.length !== n * classes) {
        outputProblem = `the model gave ${result.output.length} scores for ${n} frame(s) of ${classes} labels`;
      } else {
        probabilities = probabilitiesFromOutput(result.output, n, classes, model.pkg.manifest.output.scores);
      }
      entries.forEach((e, i) => {
        if (e.failure !== null) return this.completeDecodeFailure(e, model);
        if (!probabilities) {
          return this.complete(e, { kind: 'failed', model, stage: 'inference', reason: outputProblem!, timings: this.timings(e, result.inferMs, n) });
        }
        this.complete(e, {
          kind: 'scored',
          model,
          probabilities: probabilities.subarray(i * classes, (i + 1) * classes),
          timings: this.timings(e, result.inferMs, n),
        });
      });
    } finally {
      this.held.delete(batch);
      this.pump();
      this.wakeIdleWaiters();
    }
  }

  private completeDecodeFailure(e: Entry<T>, model: LoadedModel): void {
    this.complete(e, { kind: 'failed', model, stage: 'decode', reason: e.failure ?? 'unknown decode failure', timings: this.timings(e, null, null) });
  }

  private timings(e: Entry<T>, inferenceMs: number | null, batchSize: number | null): StageTimings {
    return {
      queueMs: (e.admittedAt || performance.now()) - e.submittedAt,
      decodeMs: e.decodeMs,
      preprocessMs: e.preprocessMs,
      inferenceMs,
      batchSize,
    };
  }

  /** Records an outcome and delivers every outcome that is next in submission order. */
  private complete(e: Entry<T>, outcome: Outcome): void {
    this.done.set(e.seq, { item: e.item, outcome });
    for (let next = this.done.get(this.nextToDeliver); next; next = this.done.get(this.nextToDeliver)) {
      this.done.delete(this.nextToDeliver);
      this.nextToDeliver++;
      this.deliver(next.item, next.outcome);
    }
    this.wakeIdleWaiters();
  }

  private wakeIdleWaiters(): void {
    for (let i = this.idleWaiters.length - 1; i >= 0; i--) {
      const w = this.idleWaiters[i]!;
      if (this.isIdle(w.model)) {
        this.idleWaiters.splice(i, 1);
        w.resolve();
      }
    }
  }
}
