/**
 * The inspection line (issue 13): one unit that takes an item and yields
 * exactly one verdict, whoever runs it — the station, the benchmark panel's
 * scenarios, the CLI bench's engine figures.
 *
 *   offer → admit (verdict.ts: paused, unreadable, stale) → deadline timer
 *         → InspectionPipeline (decode, preprocess, the model's worker)
 *         → verdictOf (verdict.ts) → sinks: output, image keeper, log, decided
 *
 * Each item is decided once: by the pipeline's answer or by its deadline,
 * whichever comes first; the later one is dropped here. What the line does
 * with a verdict is injected (LineSinks), so a benchmark measures the same
 * path with a log of its own and no reject output.
 */
import type { Decision } from '../../shared/decision';
import type { Thresholds } from '../../shared/manifest';
import type { LoadedModel } from '../models/loaded-model';
import { imageFormatOf } from '../preprocess/image-format';
import type { ImageInput } from '../preprocess/image-decoder';
import { isRawFrameImage } from '../preprocess/image-types';
import { InspectionPipeline, type Outcome, type PipelineOptions, type StageTimings } from '../pipeline/inspection-pipeline';
import type { InspectionRow } from '../storage/inspection-log';
import { logRowOf, type InspectedItem } from './inspected-item';
import { admit, deadlineReason, verdictOf, type DecisionRules } from './verdict';

/** One item offered to the line (a camera frame, a benchmark's picture). */
export interface LineItem {
  /** The source's number for it; also the reject output's key. */
  readonly id: number;
  /** Epoch ms, on the line's clock. */
  readonly capturedAt: number;
  readonly data: ImageInput;
  readonly origin: string;
  /** Why the source could not give its picture, if it could not (sources/frame-source.ts). */
  readonly unreadable?: string | undefined;
}

/** What the line reads at the moment it needs it: these change while it runs. */
export interface LineState {
  model(): LoadedModel;
  /** The thresholds `model` decides with (a model being replaced keeps its own until its last item: model-service.ts). */
  thresholds(model: LoadedModel): Thresholds;
  /** Why every item is rejected without inference now (a benchmark has the CPU), or null. */
  pausedBecause(): string | null;
  /** Why the log cannot record a decision now (storage.whenFull: fail-safe), or null. */
  storageVeto(): string | null;
}

/** A verdict, with what it took: for counters, the live view, a benchmark's figures. */
export interface DecidedItem {
  readonly item: InspectedItem;
  readonly modelUsed: LoadedModel;
  /** The picture when it is one worth keeping and showing (pictureOf), else null. */
  readonly picture: Uint8Array | null;
  /** performance.now() when offered, and when the row was handed to the log. */
  readonly receivedAt: number;
  readonly doneAt: number;
  readonly logMs: number;
}

export interface LineSinks {
  /** The reject output: told every verdict, in order. */
  readonly output?: { decide(frameId: number, decision: Decision): void };
  /** Keeps the picture of a verdict worth keeping; null: not kept (the row then names no image). */
  readonly keeper?: {
    keep(frameId: number, capturedAt: number, decision: Decision, failSafe: boolean, picture: Uint8Array): { path: string; bytes: number } | null;
  };
  readonly log?: { append(row: InspectionRow): void };
  readonly decided?: (d: DecidedItem) => void;
}

export interface LineClock {
  /** Epoch ms: what capturedAt is measured on. */
  now(): number;
}

export const SYSTEM_CLOCK: LineClock = { now: () => Date.now() };

/** Not yet decided; `timer` rejects it at its deadline. */
interface Pending {
  readonly item: LineItem;
  readonly image: ImageInput;
  readonly receivedAt: number;
  timer: NodeJS.Timeout | null;
  decided: boolean;
}

const NO_TIMINGS: StageTimings = { queueMs: 0, decodeMs: null, preprocessMs: null, inferenceMs: null, batchSize: null };

export class InspectionLine {
  private readonly pipeline: InspectionPipeline<Pending>;
  private readonly pending = new Set<Pending>();

  constructor(
    private readonly state: LineState,
    private readonly rules: DecisionRules,
    private readonly sinks: LineSinks,
    pipeline: Partial<PipelineOptions> = {},
    private readonly clock: LineClock = SYSTEM_CLOCK,
  ) {
    this.pipeline = new InspectionPipeline<Pending>(
      () => state.model(),
      (p, outcome) => this.settle(p, outcome),
      pipeline,
    );
  }

  /** Items the pipeline dropped because it was full. */
  get dropped(): number {
    return this.pipeline.dropped;
  }

  /** Items offered and not yet decided. */
  get undecided(): number {
    return this.pending.size;
  }

  /** `receivedAt` (performance.now()): when the item is due, where it was due before it was offered. */
  offer(item: LineItem, receivedAt = performance.now()): void {
    const p: Pending = { item, image: item.data, receivedAt, timer: null, decided: false };
    // The rules that reject before anything is inferred: verdict.ts.
    const admission = admit(item, this.state.pausedBecause(), this.rules, this.clock.now());
    if (admission.kind === 'reject')
      return this.decide(p, { kind: 'failed', model: null, stage: admission.stage, reason: admission.reason, timings: NO_TIMINGS });
    // Its deadline already here: rejected at once, not raced against a model that might answer first.
    if (admission.deadlineInMs <= 0)
      return this.decide(p, { kind: 'failed', model: null, stage: 'deadline', reason: deadlineReason(this.rules), timings: NO_TIMINGS });
    this.pending.add(p);
    // The deadline: no decision within it, and the item is rejected now, whatever comes later.
    if (Number.isFinite(admission.deadlineInMs))
      p.timer = setTimeout(
        () => this.settle(p, { kind: 'failed', model: null, stage: 'deadline', reason: deadlineReason(this.rules), timings: NO_TIMINGS }),
        admission.deadlineInMs,
      );
    this.pipeline.submit(p);
  }

  /** Resolves once every item offered has its pipeline answer (model given: once none of its batches is held). */
  whenIdle(model: LoadedModel | null = null): Promise<void> {
    return this.pipeline.whenIdle(model);
  }

  /** Waits for the pipeline, then forgets the deadline timers still set (the line is stopping). */
  async stop(): Promise<void> {
    await this.pipeline.whenIdle();
    for (const p of this.pending) if (p.timer) clearTimeout(p.timer);
    this.pending.clear();
  }

  /** The pipeline's answer, or the deadline's: the first decides. */
  private settle(p: Pending, outcome: Outcome): void {
    if (p.decided) return;
    if (p.timer) clearTimeout(p.timer);
    this.pending.delete(p);
    this.decide(p, outcome);
  }

  private decide(p: Pending, outcome: Outcome): void {
    p.decided = true;
    const { item } = p;
    const model = outcome.model ?? this.state.model();
    const { pkg } = model;
    const thresholds = this.state.thresholds(model);
    const td = performance.now();
    // Every reject-on-doubt rule after the pipeline: verdict.ts.
    const verdict = verdictOf(
      outcome.kind === 'scored' ? { kind: 'scored', probabilities: outcome.probabilities, labels: pkg.labels, rejectIndex: pkg.rejectIndex ?? 0 } : outcome,
      { thresholds, capturedAt: item.capturedAt, now: this.clock.now(), deadlineMs: this.rules.deadlineMs, storageVeto: this.state.storageVeto() },
    );
    const decisionMs = outcome.kind === 'scored' ? performance.now() - td : null;
    this.sinks.output?.decide(item.id, verdict.decision);
    const picture = pictureOf(item.data, outcome);
    const kept =
      picture && this.sinks.keeper ? this.sinks.keeper.keep(item.id, item.capturedAt, verdict.decision, verdict.failSafeReason !== null, picture) : null;
    const inspected: InspectedItem = {
      frameId: item.id,
      capturedAt: item.capturedAt,
      origin: item.origin,
      model: { name: pkg.manifest.name, version: pkg.manifest.version },
      verdict,
      thresholds,
      timings: outcome.timings,
      decisionMs,
      totalMs: performance.now() - p.receivedAt,
      kept,
    };
    const tl = performance.now();
    this.sinks.log?.append(logRowOf(inspected));
    const doneAt = performance.now();
    this.sinks.decided?.({ item: inspected, modelUsed: model, picture, receivedAt: p.receivedAt, doneAt, logMs: doneAt - tl });
  }
}

/**
 * The item's bytes when they are a picture worth keeping and showing, else null (issue 11: a 200 MB junk
 * file was once kept as a "kept image"): what the pipeline decoded, or, for an item rejected before it was
 * decoded (stale, late, paused, dropped), bytes that say they are a picture (under maxFrameBytes: the
 * source checked). Never what failed to decode; a raw source's frame gives the JPEG made of its pixels
 * (sources/raw-frames.ts); other raw pixels (a benchmark's decoded frames) give none.
 */
function pictureOf(data: ImageInput, outcome: Outcome): Uint8Array | null {
  if (isRawFrameImage(data)) return data.picture();
  if (!(data instanceof Uint8Array)) return null;
  if (outcome.kind === 'failed' && outcome.stage === 'decode') return null;
  return imageFormatOf(data) !== null ? data : null;
}
