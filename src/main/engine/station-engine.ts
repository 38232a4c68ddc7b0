/**
 * The station: frames in, decisions out, everything logged.
 *
 *   source → decode + preprocess (sharp, this thread, async) → inference (worker)
 *          → decision (pure) → SQLite log (batched) → events for the UI
 *
 * One frame is processed at a time; frames that arrive meanwhile wait in a
 * short queue and the oldest is dropped (and counted) when it is full, so the
 * queue never grows without bound. A frame that cannot be decoded or scored
 * is rejected fail-safe with the reason logged, and the line keeps going.
 */
import type { StationConfig } from '../../shared/config';
import type { EventName, EventPayload } from '../../shared/contract';
import type { Decision } from '../../shared/decision';
import type { Inspection } from '../../shared/inspection';
import type { Thresholds } from '../../shared/manifest';
import type { StationStatus } from '../../shared/status';
import { createBoundaryCounters, type BoundaryCounters } from './api/dispatch';
import { decide } from './decision';
import { InferenceClient } from './inference/inference-client';
import type { Logger } from './logger';
import { LoopDelayMonitor } from './metrics/loop-delay';
import { StageLatency } from './metrics/stage-latency';
import { RateMeter } from './metrics/rate-meter';
import { loadModelPackage, ModelPackageError, type ModelPackage } from './model-package';
import { Preprocessor } from './preprocess/preprocessor';
import { probabilitiesFromOutput } from './scores';
import type { Frame, FrameSource } from './sources/frame-source';
import { ReplaySource } from './sources/replay-source';
import { openDatabase, type SqliteDatabase } from './storage/database';
import { InspectionLog } from './storage/inspection-log';
import type { WorkerEntry } from './inference/worker-entry';

/** Configuration with every path made absolute. */
export interface EngineSettings {
  readonly config: StationConfig;
  readonly modelDir: string;
  readonly replayDir: string;
  readonly databasePath: string;
  readonly logger: Logger;
  /** Where the inference worker's code is (built file or source). */
  readonly workerEntry: WorkerEntry;
}

const QUEUE_LIMIT = 2;
const RECENT_INSPECTIONS = 500;
const RECENT_IMAGES = 64;
const STATUS_INTERVAL_MS = 1000;

type Listener<E extends EventName> = (payload: EventPayload<E>) => void;

export class StationEngine {
  /** Requests from the UI, counted at the boundary by whichever shell carries them. */
  readonly apiCounters: BoundaryCounters = createBoundaryCounters();
  private readonly latency = new StageLatency();
  private readonly fps = new RateMeter();
  private readonly loopDelay = new LoopDelayMonitor();
  private readonly decisions: Record<Decision, number> = { clean: 0, maybe: 0, pit: 0 };
  private readonly frames = { seen: 0, classified: 0, errors: 0, dropped: 0 };
  private readonly recent: Inspection[] = [];
  private readonly images = new Map<number, Uint8Array>();
  private readonly listeners = new Map<EventName, Set<Listener<EventName>>>();
  private readonly queue: Frame[] = [];
  private readonly preprocessor: Preprocessor;
  private readonly startedAt = new Date();
  private readonly thresholds: Thresholds;
  private pumping: Promise<void> | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private lastError: string | undefined;
  private stopped = false;

  private constructor(
    private readonly settings: EngineSettings,
    private readonly model: ModelPackage,
    private readonly inference: InferenceClient,
    private readonly source: FrameSource,
    private readonly db: SqliteDatabase,
    private readonly log: InspectionLog,
  ) {
    this.preprocessor = new Preprocessor(model.manifest);
    this.thresholds = settings.config.model.thresholds ?? model.manifest.thresholds;
  }

  /**
   * Loads the model, opens the source and the database, warms the model up
   * and starts the line. Throws (and leaves nothing open) when any part is bad.
   */
  static async start(settings: EngineSettings): Promise<StationEngine> {
    const { config, logger } = settings;
    const model = await loadModelPackage(settings.modelDir);
    const { fps, loop, limit } = config.source;
    const source = await ReplaySource.open({ dir: settings.replayDir, fps, loop, ...(limit !== undefined ? { limit } : {}) });
    const db = openDatabase(settings.databasePath);
    let inference: InferenceClient;
    try {
      const pre = new Preprocessor(model.manifest);
      inference = await InferenceClient.start({
        modelBytes: model.bytes,
        inputName: model.manifest.input.name,
        outputName: model.manifest.output.name,
        inputDims: pre.dims,
        settings: { intraOpThreads: config.inference.intraOpThreads, warmupRuns: config.inference.warmupRuns },
        entry: settings.workerEntry,
      });
    } catch (err) {
      db.close();
      const reason = err instanceof Error ? err.message : String(err);
      throw new ModelPackageError(`model file ${model.modelPath} cannot be run: ${reason}`);
    }
    const log = new InspectionLog(db, {
      ...config.storage,
      onError: (err) => logger.error(`log write failed, rows kept for retry: ${err.message}`),
    });
    const engine = new StationEngine(settings, model, inference, source, db, log);
    logger.info(
      `model ${model.manifest.name} ${model.manifest.version} on ${inference.info.provider} ` +
        `(load ${inference.info.loadMs.toFixed(0)} ms, warm-up ${inference.info.warmupMs.toFixed(0)} ms)`,
    );
    engine.run();
    return engine;
  }

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<EventName>);
    return () => set.delete(listener as Listener<EventName>);
  }

  getStatus(): StationStatus {
    const { manifest } = this.model;
    const decided = this.decisions.clean + this.decisions.maybe + this.decisions.pit;
    return {
      station: {
        id: this.settings.config.station.id,
        name: this.settings.config.station.name,
        startedAt: this.startedAt.toISOString(),
        uptimeS: Math.round((Date.now() - this.startedAt.getTime()) / 1000),
      },
      model: {
        name: manifest.name,
        version: manifest.version,
        state: 'ready',
        provider: this.inference.info.provider,
        labels: manifest.labels,
        rejectLabel: manifest.rejectLabel,
      },
      thresholds: this.thresholds,
      source: { kind: this.source.kind, description: this.source.description, state: this.source.state },
      frames: { ...this.frames },
      decisions: { ...this.decisions },
      rejectRate: decided === 0 ? 0 : this.decisions.pit / decided,
      fps: Math.round(this.fps.perSecond() * 10) / 10,
      latencyMs: this.latency.summaries(),
      loopDelayP99Ms: this.loopDelay.percentileMs(99),
      database: {
        path: this.settings.databasePath,
        rowsWritten: this.log.rowsWritten,
        pendingRows: this.log.pendingRows,
        lastFlushMs: Math.round(this.log.lastFlushMs * 1000) / 1000,
      },
      api: { ...this.apiCounters },
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  getFrameImage(frameId: number): Uint8Array | undefined {
    return this.images.get(frameId);
  }

  getRecentInspections(limit: number): Inspection[] {
    return this.recent.slice(-limit).reverse();
  }

  /** Stops the line, finishes the frame in hand, flushes the log and closes everything. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.source.stop();
    this.queue.length = 0;
    if (this.statusTimer) clearInterval(this.statusTimer);
    await this.pumping;
    this.log.close();
    this.db.close();
    await this.inference.close();
    this.loopDelay.stop();
  }

  private run(): void {
    this.loopDelay.start();
    this.statusTimer = setInterval(() => this.emit('status', this.getStatus()), STATUS_INTERVAL_MS);
    this.source.start(
      (frame) => this.accept(frame),
      () => this.settings.logger.info(`source finished after ${this.frames.seen} frames`),
    );
  }

  private accept(frame: Frame): void {
    if (this.stopped) return;
    this.frames.seen++;
    this.queue.push(frame);
    if (this.queue.length > QUEUE_LIMIT) {
      this.queue.shift();
      this.frames.dropped++;
    }
    this.pumping ??= this.pump().finally(() => (this.pumping = null));
  }

  private async pump(): Promise<void> {
    for (let frame = this.queue.shift(); frame; frame = this.queue.shift()) {
      await this.process(frame);
    }
  }

  private async process(frame: Frame): Promise<void> {
    const { manifest } = this.model;
    const t0 = performance.now();
    const input = this.inference.acquireInput();
    let stage = 'decode';
    let decodeMs: number | null = null;
    let preprocessMs: number | null = null;
    let inferenceMs: number | null = null;
    try {
      const prepared = await this.preprocessor.prepare(frame.data, input);
      decodeMs = prepared.decodeMs;
      preprocessMs = prepared.preprocessMs;
      stage = 'inference';
      const result = await this.inference.run(prepared.data, prepared.dims);
      inferenceMs = result.inferMs;
      stage = 'decision';
      const td = performance.now();
      const probs = probabilitiesFromOutput(result.output, 1, manifest.labels.length, manifest.output.scores);
      const scores = Object.fromEntries(manifest.labels.map((l, i) => [l, probs[i]!]));
      const rejectScore = probs[this.model.rejectIndex]!;
      const { decision, failSafeReason } = decide({ rejectScore, thresholds: this.thresholds });
      const decisionMs = performance.now() - td;
      this.frames.classified++;
      this.finish(frame, { decision, rejectScore, scores, failSafeReason, decodeMs, preprocessMs, inferenceMs, decisionMs, t0 });
    } catch (err) {
      if (stage === 'decode') this.inference.releaseInput(input);
      const reason = `${stage} failed: ${err instanceof Error ? err.message : String(err)}`;
      this.frames.errors++;
      this.lastError = `frame ${frame.id} (${frame.origin}): ${reason}`;
      this.settings.logger.warn(this.lastError);
      // Fail-safe: an item without a valid decision is rejected (positive release).
      this.finish(frame, {
        decision: 'pit',
        rejectScore: null,
        scores: null,
        failSafeReason: reason,
        decodeMs,
        preprocessMs,
        inferenceMs,
        decisionMs: null,
        t0,
      });
    }
  }

  private finish(
    frame: Frame,
    r: {
      decision: Decision;
      rejectScore: number | null;
      scores: Record<string, number> | null;
      failSafeReason: string | undefined;
      decodeMs: number | null;
      preprocessMs: number | null;
      inferenceMs: number | null;
      decisionMs: number | null;
      t0: number;
    },
  ): void {
    const { manifest } = this.model;
    const tl = performance.now();
    const capturedAt = new Date(frame.capturedAt).toISOString();
    this.log.append({
      frameId: frame.id,
      capturedAt,
      origin: frame.origin,
      modelName: manifest.name,
      modelVersion: manifest.version,
      rejectScore: r.rejectScore,
      scores: r.scores,
      decision: r.decision,
      failSafeReason: r.failSafeReason ?? null,
      decodeMs: r.decodeMs,
      preprocessMs: r.preprocessMs,
      inferenceMs: r.inferenceMs,
      decisionMs: r.decisionMs,
      totalMs: tl - r.t0,
    });
    const logMs = performance.now() - tl;
    const totalMs = performance.now() - r.t0;
    if (r.decodeMs !== null) this.latency.record('decode', r.decodeMs);
    if (r.preprocessMs !== null) this.latency.record('preprocess', r.preprocessMs);
    if (r.inferenceMs !== null) this.latency.record('inference', r.inferenceMs);
    if (r.decisionMs !== null) this.latency.record('decision', r.decisionMs);
    this.latency.record('log', logMs);
    this.latency.record('total', totalMs);
    this.decisions[r.decision]++;
    this.fps.mark();

    this.images.set(frame.id, frame.data);
    if (this.images.size > RECENT_IMAGES) this.images.delete(this.images.keys().next().value!);
    const inspection: Inspection = {
      frameId: frame.id,
      capturedAt,
      origin: frame.origin,
      decision: r.decision,
      rejectScore: r.rejectScore,
      scores: r.scores ?? {},
      ...(r.failSafeReason ? { failSafeReason: r.failSafeReason } : {}),
      totalMs: Math.round(totalMs * 100) / 100,
      modelVersion: manifest.version,
    };
    this.recent.push(inspection);
    if (this.recent.length > RECENT_INSPECTIONS) this.recent.shift();
    this.emit('inspection', inspection);
  }

  private emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        listener(payload);
      } catch (err) {
        this.settings.logger.error(`a ${event} listener failed: ${(err as Error).message}`);
      }
    }
  }
}
