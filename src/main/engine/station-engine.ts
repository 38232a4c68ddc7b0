/**
 * The station: frames in, decisions out, everything logged.
 *
 *   source → InspectionPipeline (sharp on this thread's pool, ONNX Runtime in
 *            the model's worker) → decision (pure) → SQLite log (batched)
 *          → events for the UI
 *
 * Every frame gets exactly one decision: the model's, or a fail-safe reject
 * with the reason (dropped because the line ran faster than the model, an
 * unreadable frame, a model error, a worker that died). The active model can
 * be swapped while the line runs: the new one is loaded and warmed in its own
 * worker first, frames switch to it between two frames, and the old one is
 * released once its last batch is back.
 */
import { availableParallelism } from 'node:os';
import type { StationConfig } from '../../shared/config';
import type { EventName, EventPayload } from '../../shared/contract';
import type { AlarmChange, AlarmKind, StationEvent } from '../../shared/alarms';
import { FAIL_SAFE_ALARM_KINDS } from '../../shared/operator-words';
import type { AuditEntry } from '../../shared/audit';
import type { Decision } from '../../shared/decision';
import type { Inspection } from '../../shared/inspection';
import type { Thresholds } from '../../shared/manifest';
import type { DiagnosticsSample } from '../../shared/diagnostics';
import type { CsvExport, InspectionFilter, InspectionPage } from '../../shared/history';
import { IMPORT_STEPS, modelUse, type ImportCandidates, type ImportReport, type ModelActivation, type ModelRecord } from '../../shared/models';
import { createTransportCounters, type StationStatus, type TransportCounters } from '../../shared/status';
import type { ScoreSample, ScoreWindow } from '../../shared/what-if';
import { ThresholdsSchema } from '../../shared/manifest';
import { InferenceOverrideSchema, type InferenceOverride } from '../../shared/config';
import { SessionManager } from './auth/session-manager';
import { DataDirLock } from './data-dir-lock';
import { FrameMemory } from './frame-memory';
import { imageFormatOf } from './preprocess/image-format';
import { DiagnosticsSampler } from './metrics/diagnostics-sampler';
import { ProcessUsageMeter } from './metrics/process-usage';
import { ShiftCounts } from './metrics/shift-counts';
import { findImportCandidates } from './models/import-candidates';
import { decisionCountsSince, minuteCountsSince } from './storage/inspection-queries';
import { QueryClient } from './storage/query-client';
import { SettingsStore } from './storage/settings-store';
import { readKeptImage } from './storage/kept-images';
import { BenchStore } from './storage/bench-store';
import { StationBenchmarks, type BenchHost } from './bench/station-benchmarks';
import { createBoundaryCounters, type BoundaryCounters } from './metrics/boundary-counters';
import { resolveSessionSettings, type InferenceRuntime } from './inference/session-settings';
import type { WorkerEntries } from './inference/worker-entry';
import type { Logger } from './logger';
import { LoopDelayMonitor } from './metrics/loop-delay';
import { RateMeter } from './metrics/rate-meter';
import { StageLatency } from './metrics/stage-latency';
import { MachineHealthMonitor } from './sensors/machine-health';
import { isImagePackage, isTabularPackage, loadModelPackage, ModelPackageError, type ImageModelPackage, type ModelPackage } from './model-package';
import { loadImageModel, type LoadedModel } from './models/loaded-model';
import { FirstLoadGate } from './models/first-load-gate';
import { ModelProbeRefused } from './models/model-probe';
import { ModelProblemsError } from './model-prep/model-problems';
import { ProbedModels } from './storage/model-probes';
import { importModel } from './models/model-import';
import { ModelRegistry, type ConfiguredRegistration } from './models/model-registry';
import { InspectionPipeline, type Outcome } from './pipeline/inspection-pipeline';
import type { Frame, FrameSource } from './sources/frame-source';
import { createFrameSource } from './sources/create-source';
import { openCheckedDatabase, type SqliteDatabase } from './storage/database';
import { createRejectOutput, type RejectOutput } from './output/reject-output';
import { AuditTrail } from './storage/audit-trail';
import { EventLog } from './storage/event-log';
import { ImageKeeper } from './storage/image-keeper';
import { LogClient } from './log/log-client';
import { applyDatabaseCap } from './storage/database-cap';
import { FileIdentity } from './storage/file-identity';
import { MainWrites } from './storage/main-writes';
import { StorageMonitor } from './log/storage-monitor';
import { AlarmBoard } from './alarms/alarm-board';
import { alarmEventMessage } from './alarms/alarm-event-message';
import { admit, deadlineReason, verdictOf } from './line/verdict';

/** Configuration with every path made absolute. */
export interface EngineSettings {
  readonly config: StationConfig;
  /** The model to run when the registry has none active (the bundled demo by default). */
  readonly modelDir: string;
  readonly databasePath: string;
  /** Where imported models are stored (models/ below it). */
  readonly dataDir: string;
  readonly logger: Logger;
  /** Where the workers' code is (built files or sources). */
  readonly workers: WorkerEntries;
  /** What ships with the app: the models folder, the demo frames (the benchmark's stand-ins). */
  readonly app: { readonly bundledModelsDir: string; readonly defaultReplayDir: string };
}

const STATUS_INTERVAL_MS = 1000;
const THRESHOLDS_SETTING = 'thresholds';
const INFERENCE_SETTING = 'inference';
/** How often the camera and the model are checked for the watchdog. */
const WATCH_INTERVAL_MS = 100;

type Listener<E extends EventName> = (payload: EventPayload<E>) => void;

interface ActiveModel {
  readonly loaded: LoadedModel;
  readonly registryId: number | null;
}

interface PipelineFrame {
  readonly frame: Frame;
  readonly image: Uint8Array;
  readonly receivedAt: number;
}

/** A model that cannot drive the line: refused before it is activated. */
export class ModelActivationError extends Error {
  override readonly name = 'ModelActivationError';
}

function requireLineModel(pkg: ModelPackage): ImageModelPackage {
  // The same words the Models page labels the package with (shared/models.ts modelUse).
  const use = modelUse(pkg.manifest);
  if (!isImagePackage(pkg) || pkg.rejectIndex === null || !use.line)
    throw new ModelActivationError(`${pkg.manifest.name} ${pkg.manifest.version} ${use.words}`);
  return pkg;
}

export class StationEngine {
  /** Requests from the UI, counted at the boundary by whichever shell carries them. */
  readonly apiCounters: BoundaryCounters = createBoundaryCounters();
  /** What the station's WebSocket and HTTP boundary did with clients that broke its rules (request-gate.ts). */
  readonly transportCounters: TransportCounters = createTransportCounters();
  private readonly latency = new StageLatency();
  private readonly fps = new RateMeter();
  private readonly loopDelay = new LoopDelayMonitor();
  private readonly decisions: Record<Decision, number> = { clean: 0, maybe: 0, pit: 0 };
  private readonly frames = { seen: 0, classified: 0, errors: 0 };
  /** The latest inspections and frames, for the live view. */
  private readonly memory = new FrameMemory();
  private readonly usage = new ProcessUsageMeter();
  private readonly diagnostics: DiagnosticsSampler;
  private readonly shiftCounts: ShiftCounts;
  /** One per UI connection: operator, or a signed-in technician. */
  readonly sessions: SessionManager;
  /** The benchmark panel's runs (one at a time, in a worker of their own). */
  readonly benchmarks: StationBenchmarks;
  private thresholdsSetBy: StationStatus['thresholdsSetBy'] = null;
  private inferenceSetBy: StationStatus['model']['settingsSetBy'] = null;
  /** While set, every frame is rejected fail-safe without inference (a benchmark has the CPU). */
  private pausedBecause: string | null = null;
  private readonly listeners = new Map<EventName, Set<Listener<EventName>>>();
  private readonly startedAt = new Date();
  private readonly pipeline: InspectionPipeline<PipelineFrame>;
  private readonly alarms: AlarmBoard;
  private readonly events: EventLog;
  /** Every write on the main connection (events, audit, settings, registry, benchmark runs), and their health. */
  private readonly writes: MainWrites;
  /** The storage alarms, storage.whenFull, moved-aside uploads (log/storage-monitor.ts). */
  private readonly storageMonitor: StorageMonitor;
  private readonly audit: AuditTrail;
  private readonly keeper: ImageKeeper;
  /** Frames waiting for their decision, with the timer that rejects them at the deadline. */
  private readonly deadlines = new Map<number, NodeJS.Timeout>();
  private readonly sourceFps = new RateMeter();
  private lastFrameAt: number | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  private failSafeEngaged = false;
  private thresholds: Thresholds;
  private swapping: Promise<unknown> | null = null;
  /** Every first load of a model file (start-up, import, activation, rollback) goes through it; set by start(). */
  private probes!: FirstLoadGate;
  private statusTimer: NodeJS.Timeout | null = null;
  private lastError: string | undefined;
  private stopped = false;
  /** This station's hold on its data folder, given back at stop. */
  private dataDirLock: DataDirLock | null = null;

  private constructor(
    private readonly settings: EngineSettings,
    private runtime: InferenceRuntime,
    private active: ActiveModel,
    private readonly source: FrameSource,
    private readonly db: SqliteDatabase,
    private readonly log: LogClient,
    private readonly registry: ModelRegistry,
    private readonly output: RejectOutput,
    private readonly queries: QueryClient,
    /** Settings a technician applied, read once at start (the inference ones decided how the model was loaded). */
    private readonly settingsStore: SettingsStore,
  ) {
    // Thresholds a technician applied outlive a restart; else the config file's, else the model's.
    const stored = this.settingsStore.get(THRESHOLDS_SETTING, ThresholdsSchema);
    this.thresholds = stored?.value ?? settings.config.model.thresholds ?? active.loaded.pkg.manifest.thresholds;
    if (stored) this.thresholdsSetBy = { actor: stored.actor, at: stored.at, reason: stored.reason };
    this.pipeline = new InspectionPipeline<PipelineFrame>(
      () => this.active.loaded,
      (item, outcome) => this.finish(item, outcome),
      {
        maxWaitMs: settings.config.inference.maxWaitMs,
        queueLimit: settings.config.pipeline.queueLimit,
        dropPolicy: settings.config.pipeline.dropPolicy,
        preprocessConcurrency: settings.config.pipeline.decodeConcurrency,
      },
    );
    // A full disk raises the storage alarm; it never throws out of a timer (issue 11, item 3).
    this.writes = new MainWrites(db, {
      path: settings.databasePath,
      identity: new FileIdentity(settings.databasePath),
      onRefused: (what, fault) => this.storageMonitor.onRefused(what, fault),
      onRecovered: (episode) => this.storageMonitor.onMainRecovered(episode),
    });
    // An event refused for itself (data that cannot be serialised) is logged and dropped, never retried (issue 11, review).
    this.events = new EventLog(db, this.writes, (e, reason) => settings.logger.warn(`event "${String(e.message)}" (${String(e.kind)}): ${reason}`));
    this.audit = new AuditTrail(db);
    this.alarms = new AlarmBoard((change) => this.onAlarm(change));
    this.storageMonitor = new StorageMonitor({
      config: settings.config.storage,
      databasePath: settings.databasePath,
      log,
      writes: this.writes,
      events: this.events,
      alarms: this.alarms,
      logger: settings.logger,
    });
    log.onWriterChange((status, recovery) => this.storageMonitor.onWriter(status, recovery));
    // Image writes in flight are bounded; a failed one is told to the log, whose row then names no image (issue 11, review).
    this.keeper = new ImageKeeper(settings.dataDir, settings.config.station.id, settings.config.storage.images, (m) => settings.logger.warn(m), {
      onNotKept: (image) => log.imageNotKept(image),
    });
    this.sessions = new SessionManager({
      auth: settings.config.auth,
      onEvent: (e) => {
        this.events.append({ at: new Date(), kind: 'auth', severity: e.severity, message: e.message });
        settings.logger.info(e.message);
      },
    });
    this.shiftCounts = new ShiftCounts(settings.config.shifts.starts, new Date());
    this.benchmarks = new StationBenchmarks(
      this.benchHost(),
      new BenchStore(db, this.writes),
      { bench: settings.workers.bench, inference: settings.workers.inference, log: settings.workers.log },
      settings.logger,
      (p) => this.emit('benchProgress', p),
    );
    this.diagnostics = new DiagnosticsSampler(
      {
        latency: this.latency,
        loopDelay: this.loopDelay,
        usage: this.usage,
        counts: () => ({ decided: this.decisions.clean + this.decisions.maybe + this.decisions.pit, seen: this.frames.seen, dropped: this.pipeline.dropped }),
        machine: () => (this.machine ? { risk: this.machine.currentRisk, channels: this.machine.takeChannelRms() } : null),
      },
      Date.now(),
    );
  }

  /**
   * Opens the database and the source, loads the active model (the registry's,
   * else the configured folder), warms it and starts the line. Throws (and
   * leaves nothing open) when any part is bad.
   */
  static async start(settings: EngineSettings): Promise<StationEngine> {
    // One station per data folder: a second is refused before it opens anything (data-dir-lock.ts).
    const lock = DataDirLock.acquire(settings.dataDir);
    try {
      const engine = await StationEngine.startLocked(settings);
      engine.dataDirLock = lock;
      return engine;
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  private static async startLocked(settings: EngineSettings): Promise<StationEngine> {
    const { config, logger } = settings;
    const source = await createFrameSource(config.source);
    const checked = openCheckedDatabase(settings.databasePath);
    const db = checked.db;
    applyDatabaseCap(db, config.storage.maxDatabaseBytes);
    const settingsStore = new SettingsStore(db, (m) => logger.warn(m));
    const storedInference = settingsStore.get(INFERENCE_SETTING, InferenceOverrideSchema);
    const runtime = runtimeFor(config.inference, storedInference?.value ?? null);
    const registry = new ModelRegistry(db, settings.dataDir, config.model.maxFileBytes);
    let active: ActiveModel;
    let startupProblem: string | undefined;
    if (checked.movedAside) {
      const { path, problem } = checked.movedAside;
      startupProblem = `the database failed its check and was moved aside to ${path} (${problem}); a new one was started, and the rows it had not uploaded are sent from there`;
      logger.error(startupProblem);
    }
    // Refusals by the load probe go to the event log once the engine (and its log) exists; at start-up the
    // refusal is the start-up problem instead (shown as lastError).
    let built: StationEngine | null = null;
    const probes = firstLoadGate(db, settings, (message) => built?.events.append({ at: new Date(), kind: 'model', severity: 'warning', message }));
    let configuredProblem: string | undefined;
    try {
      await registry.readUses((m) => logger.warn(m));
      let loaded: LoadedModel | null = null;
      let registryId: number | null = null;
      const registered = registry.active();
      if (registered) {
        try {
          loaded = await StationEngine.load(requireLineModel(await registry.loadPackage(registered.id)), settings, runtime, logger, probes);
          registryId = registered.id;
        } catch (err) {
          // The line must run: fall back to the configured model and say so loudly.
          startupProblem = `active model ${registered.name} ${registered.version} could not be loaded (${(err as Error).message}); running ${settings.modelDir} instead`;
          logger.error(startupProblem);
        }
      }
      const maxFileBytes = config.model.maxFileBytes;
      // Read once: to run it when the registry's cannot, and to register it so that a rollback reaches it (issue 12).
      let configured: ModelPackage | null = null;
      if (!loaded) {
        configured = await loadModelPackage(settings.modelDir, { maxFileBytes });
        loaded = await StationEngine.load(requireLineModel(configured), settings, runtime, logger, probes);
      }
      const registration = await registerConfigured(registry, settings, configured);
      configuredProblem = registration.problem;
      if (registryId === null) registryId = registration.record?.id ?? null;
      active = { loaded, registryId };
    } catch (err) {
      db.close();
      if (err instanceof ModelPackageError || err instanceof ModelActivationError) throw err;
      throw new ModelPackageError((err as Error).message);
    }
    let log: LogClient;
    try {
      log = await LogClient.start({
        entry: settings.workers.log,
        databasePath: settings.databasePath,
        dataDir: settings.dataDir,
        stationId: config.station.id,
        storage: config.storage,
        upload: config.upload,
        onCommitFailed: (message) => logger.error(`log write failed, rows kept for retry: ${message}`),
      });
    } catch (err) {
      await active.loaded.client.close();
      db.close();
      throw err;
    }
    const queries = new QueryClient(settings.workers.query, settings.databasePath);
    const engine = new StationEngine(settings, runtime, active, source, db, log, registry, createRejectOutput(config.output), queries, settingsStore);
    engine.probes = probes;
    built = engine;
    if (configuredProblem) {
      logger.warn(configuredProblem);
      engine.events.append({ at: new Date(), kind: 'model', severity: 'warning', message: configuredProblem });
    }
    if (storedInference) engine.inferenceSetBy = { actor: storedInference.actor, at: storedInference.at, reason: storedInference.reason };
    if (startupProblem) engine.lastError = startupProblem;
    try {
      engine.seedShiftCounts();
      await engine.startMachineHealth();
    } catch (err) {
      await engine.stop();
      throw err;
    }
    const info = active.loaded.client.info;
    logger.info(
      `model ${active.loaded.pkg.manifest.name} ${active.loaded.pkg.manifest.version} on ${info.provider}` +
        `${info.fallbacks.length ? ` (not ${info.fallbacks.map((f) => f.provider).join(', ')})` : ''}, ${runtime.session.intraOpThreads} thread(s), ` +
        `${runtime.mode} mode (load ${info.loadMs.toFixed(0)} ms, warm-up ${info.warmupMs.toFixed(0)} ms)`,
    );
    for (const note of info.notes) logger.warn(`model repaired on load: ${note}`);
    engine.run();
    return engine;
  }

  /**
   * Loads a model into a worker of the station for the line. The first load of a file on this station
   * runs in the load probe first (a child process under model.loadMemoryMiB), so that a model bomb ends
   * the probe, never the station (issue 11, item 5).
   */
  private static async load(
    pkg: ImageModelPackage,
    settings: EngineSettings,
    runtime: InferenceRuntime,
    logger: Logger,
    probes: FirstLoadGate,
  ): Promise<LoadedModel> {
    try {
      await probes.ensure(pkg, runtime);
      return await loadImageModel(pkg, {
        settings: runtime.session,
        entry: settings.workers.inference,
        mode: runtime.mode,
        maxBatch: runtime.maxBatch,
        onWorkerEvent: (e) => (e.kind === 'restarted' ? logger.warn(e.message) : logger.error(e.message)),
      });
    } catch (err) {
      // A refusal by the probe is already one sentence naming the model and the setting.
      if (err instanceof ModelProbeRefused) throw new ModelPackageError(err.message);
      const reasons = err instanceof ModelProblemsError ? err.problems.join('; ') : (err as Error).message;
      throw new ModelPackageError(`model file ${pkg.modelPath} cannot be run: ${reasons}`);
    }
  }

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<EventName>);
    return () => set.delete(listener as Listener<EventName>);
  }

  getStatus(): StationStatus {
    const { loaded, registryId } = this.active;
    const { manifest } = loaded.pkg;
    const info = loaded.client.info;
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
        state: loaded.client.state === 'restarting' ? 'restarting' : this.swapping ? 'swapping' : 'ready',
        provider: info.provider,
        fallbacks: [...info.fallbacks],
        labels: [...loaded.pkg.labels],
        rejectLabel: manifest.rejectLabel ?? '',
        notes: [...info.notes],
        registryId,
        mode: this.runtime.mode,
        batchSize: loaded.batchSize,
        threads: this.runtime.session.intraOpThreads,
        workerRestarts: loaded.client.restarts,
        settingsSetBy: this.inferenceSetBy,
      },
      thresholds: this.thresholds,
      thresholdsSetBy: this.thresholdsSetBy,
      source: {
        kind: this.source.kind,
        description: this.source.description,
        state: this.source.state,
        fps: Math.round(this.sourceFps.perSecond() * 10) / 10,
        ...this.source.stats(),
        lastFrameAgeMs: this.lastFrameAt === null ? null : Math.round(performance.now() - this.lastFrameAt),
        stallMs: this.settings.config.source.stallMs,
      },
      machine: this.machine?.status() ?? null,
      alarms: this.alarms.list(),
      failSafe: (() => {
        const causes = this.failSafeCauses();
        return { engaged: this.failSafeEngaged, reasons: causes.map((c) => c.message), kinds: causes.map((c) => c.kind) };
      })(),
      frames: { ...this.frames, dropped: this.pipeline.dropped },
      decisions: { ...this.decisions },
      rejectRate: decided === 0 ? 0 : this.decisions.pit / decided,
      ...this.shiftCounts.snapshot(new Date()),
      fps: Math.round(this.fps.perSecond() * 10) / 10,
      latencyMs: this.latency.summaries(),
      loopDelayP99Ms: this.loopDelay.percentileMs(99),
      system: this.usage.current(),
      clients: this.sessions.counts(),
      line: { rateFps: this.settings.config.line.rateFps, paused: this.pausedBecause !== null, pausedBecause: this.pausedBecause },
      benchmark: this.benchmarks.current,
      database: {
        path: this.settings.databasePath,
        databaseId: this.log.databaseId,
        rowsWritten: this.log.rowsWritten,
        pendingRows: this.log.pendingRows,
        lastFlushMs: Math.round(this.log.lastFlushMs * 1000) / 1000,
        lastSeq: this.log.lastSeq,
        sizeBytes: this.log.storageStatus()?.databaseBytes ?? 0,
        imagesBytes: this.log.storageStatus()?.imagesBytes ?? 0,
        ...this.storageMonitor.databaseStatus(),
        imageWrites: this.keeper.status(),
      },
      upload: this.log.uploadStatus().map((l) => ({ ...l })),
      output: this.output.status(),
      api: { ...this.apiCounters },
      connections: { ...this.transportCounters },
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  getFrameImage(frameId: number): Uint8Array | undefined {
    return this.memory.image(frameId);
  }

  getRecentInspections(limit: number): Inspection[] {
    return this.memory.recent(limit);
  }

  getRecentRejects(limit: number): Inspection[] {
    return this.memory.recentRejects(limit);
  }

  diagnosticsHistory(): DiagnosticsSample[] {
    return this.diagnostics.history();
  }

  /** Logged scores of the model running now, for the what-if panel; committed rows only, so the log is flushed first. */
  async scoreSample(window: ScoreWindow): Promise<ScoreSample> {
    await this.log.flush();
    const { name, version } = this.active.loaded.pkg.manifest;
    return this.queries.call('sample', { window, model: { name, version }, thresholds: this.thresholds, now: new Date().toISOString() });
  }

  async queryInspections(filter: InspectionFilter, limit: number, beforeSeq: number | undefined): Promise<InspectionPage> {
    await this.log.flush();
    return this.queries.call('page', { filter, limit, ...(beforeSeq !== undefined ? { beforeSeq } : {}) });
  }

  async exportInspections(filter: InspectionFilter): Promise<CsvExport> {
    await this.log.flush();
    return this.queries.call('export', { filter, stationId: this.settings.config.station.id, now: new Date().toISOString() });
  }

  /** The kept JPEG of a logged inspection, or null when none was kept or retention removed it. */
  async inspectionImage(seq: number): Promise<Uint8Array | null> {
    const path = await this.queries.call('imagePath', { seq });
    return path === null ? null : readKeptImage(this.settings.dataDir, path);
  }

  importCandidates(): Promise<ImportCandidates> {
    return findImportCandidates(this.settings.config.model.importRoots ?? [], (name, version) => this.registry.find(name, version)?.sourceSha256 ?? null);
  }

  /** The registry, newest first; `active` is the model running now (the configured one when the registry's could not be loaded). */
  listModels(): ModelRecord[] {
    return this.registry.list().map((m) => ({ ...m, active: m.id === this.active.registryId }));
  }

  modelHistory(limit: number): ModelActivation[] {
    return this.registry.history(limit);
  }

  /** Imports a model package (a folder or a manifest path on this PC) into the registry; does not activate it. */
  importModel(source: string, actor: string, taskId?: string): Promise<ImportReport> {
    const storing = `importing ${source}`;
    return importModel(source, {
      registry: this.registry,
      runtime: this.runtime,
      maxFileBytes: this.settings.config.model.maxFileBytes,
      gate: this.probes,
      importRoots: this.settings.config.model.importRoots ?? [],
      actor,
      now: () => new Date(),
      ...(taskId !== undefined
        ? {
            onStep: (step, state, message) =>
              this.emit('importProgress', { taskId, step, index: IMPORT_STEPS.indexOf(step), steps: IMPORT_STEPS.length, state, message }),
          }
        : {}),
    }).catch((err: unknown) => {
      // Storing the model in the registry writes to the log: on a full disk the import is refused with the reason.
      throw this.writes.explain(storing, err);
    });
  }

  /** Loads and warms a registered model, then switches the line to it between two frames. */
  activateModel(id: number, actor: string, reason: string | null): Promise<ModelRecord> {
    const model = this.registry.get(id);
    if (!model) return Promise.reject(new ModelActivationError(`there is no model with id ${id} in the registry`));
    // Refused at once, before anything is read or loaded, with the words the Models page shows (issue 12).
    if (!model.use.line) return Promise.reject(new ModelActivationError(`${model.name} ${model.version} ${model.use.words}`));
    return this.swapTo(id, 'activate', actor, reason);
  }

  /** Goes back to the model that was active before the current one. */
  rollbackModel(actor: string, reason: string | null): Promise<ModelRecord> {
    const previous = this.registry.previous();
    if (!previous) return Promise.reject(new ModelActivationError('there is no earlier model to roll back to'));
    return this.swapTo(previous.id, 'rollback', actor, reason);
  }

  private async swapTo(id: number, action: 'activate' | 'rollback', actor: string, reason: string | null): Promise<ModelRecord> {
    await this.replaceModel(
      async () => ({ pkg: requireLineModel(await this.registry.loadPackage(id)), registryId: id, runtime: this.runtime }),
      (old, pkg, at) => {
        this.writes.run(action === 'activate' ? 'the model activation' : 'the model rollback', () => {
          this.registry.recordActivation(id, action, actor, reason, at);
          this.audit.record({
            at,
            actor,
            subject: 'model',
            old: { name: old.pkg.manifest.name, version: old.pkg.manifest.version, sha256: old.pkg.manifest.sha256 },
            new: { name: pkg.manifest.name, version: pkg.manifest.version, sha256: pkg.manifest.sha256, action },
            reason,
          });
        });
        this.settings.logger.info(`${action}: model ${pkg.manifest.name} ${pkg.manifest.version} is active (by ${actor}${reason ? `: ${reason}` : ''})`);
      },
    );
    return this.registry.get(id)!;
  }

  /**
   * New provider, threads, mode and batch for the running model: it is loaded again with them beside
   * the one running, and the line switches between two frames. Audited, and kept across restarts.
   */
  async applyInferenceSettings(next: InferenceOverride, actor: string, reason: string): Promise<InferenceOverride> {
    const runtime = runtimeFor(this.settings.config.inference, next);
    const old = this.inferenceOverride();
    await this.replaceModel(
      async () => ({ pkg: this.active.loaded.pkg, registryId: this.active.registryId, runtime }),
      (_old, _pkg, at) => {
        this.writes.run('the inference settings change', () => {
          this.audit.record({ at, actor, subject: 'config', old: { inference: old }, new: { inference: next }, reason });
          this.settingsStore.set(INFERENCE_SETTING, next, actor, reason, at);
        });
        this.runtime = runtime;
        this.inferenceSetBy = { actor, at: at.toISOString(), reason };
        this.settings.logger.info(
          `inference settings: ${next.providers.join(', ')}, ${next.intraOpThreads} thread(s), ${next.mode} mode, batch ${next.maxBatch} (by ${actor}: ${reason})`,
        );
      },
    );
    return next;
  }

  /** The provider, threads, mode and batch in force, as a technician would set them. */
  inferenceOverride(): InferenceOverride {
    return {
      providers: [...this.runtime.session.providers],
      intraOpThreads: this.runtime.session.intraOpThreads,
      mode: this.runtime.mode,
      maxBatch: this.runtime.maxBatch,
    };
  }

  /** Loads the next model beside the running one, then switches the line to it between two frames; the old one is closed once idle. */
  private async replaceModel(
    prepare: () => Promise<{ pkg: ImageModelPackage; registryId: number | null; runtime: InferenceRuntime }>,
    /** Records the change (audit, registry, settings); runs just before the switch, and a throw (the log cannot be written) cancels it. */
    record: (old: LoadedModel, pkg: ImageModelPackage, at: Date) => void,
  ): Promise<void> {
    if (this.stopped) throw new ModelActivationError('the station is stopping');
    if (this.swapping) throw new ModelActivationError('another model is being loaded; try again when it is active');
    const work = (async () => {
      const { pkg, registryId, runtime } = await prepare();
      const next = await StationEngine.load(pkg, this.settings, runtime, this.settings.logger, this.probes);
      if (this.stopped) {
        await next.client.close();
        throw new ModelActivationError('the station stopped while the model was loading');
      }
      const old = this.active.loaded;
      // Recorded first, in the same tick as the switch: a change that cannot be written is refused whole,
      // the new model closed and the running one kept, rather than running unrecorded (issue 11, item 3).
      try {
        record(old, pkg, new Date());
      } catch (err) {
        await next.client.close();
        throw err;
      }
      // The switch: the next frame admitted goes to the new model.
      this.active = { loaded: next, registryId };
      void this.pipeline.whenIdle(old).then(() => old.client.close());
    })();
    this.swapping = work;
    try {
      await work;
    } finally {
      this.swapping = null;
    }
  }

  /** What the benchmark needs of the station. */
  private benchHost(): BenchHost {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the host's getters read the engine's state at the time they are asked
    const engine = this;
    const { config } = this.settings;
    return {
      stationId: config.station.id,
      lineRateFps: config.line.rateFps,
      deadlineMs: config.decision.deadlineMs,
      bundledDir: this.settings.app.bundledModelsDir,
      demoFramesDir: this.settings.app.defaultReplayDir,
      activePackage: () => engine.active.loaded.pkg,
      // The providers the running model passed over: the benchmark's plan form marks them (issue 12).
      providerFallbacks: () => engine.active.loaded.client.info.fallbacks,
      registryModels: () =>
        engine.registry
          .list()
          .filter((m) => m.task === 'image-classification')
          .map((m) => ({ id: m.id, label: `${m.name} ${m.version}` })),
      registryPackage: async (id) => requireLineModel(await engine.registry.loadPackage(id)),
      // The benchmark loads these models in this process at its own batches: the load probe first (issue 11, final review).
      ensureFirstLoad: (pkg, runtime) => engine.probes.ensure(pkg, runtime),
      get lineRunning() {
        return engine.lineRunning;
      },
      pauseLine: (reason) => engine.pauseLine(reason),
      resumeLine: () => engine.resumeLine(),
      recentFrames: () => engine.memory.latestImages(),
      get runtime() {
        return engine.runtime;
      },
      applyInferenceSettings: (next, actor, reason) => engine.applyInferenceSettings(next, actor, reason),
    };
  }

  /** Stops the line, finishes the frames in hand, flushes the log and closes everything. */
  recentEvents(limit: number, kinds?: readonly string[]): StationEvent[] {
    return this.events.recent(limit, kinds);
  }

  auditTrail(limit: number): AuditEntry[] {
    return this.audit.recent(limit);
  }

  /** New thresholds from the next frame on, in the audit trail first, and kept for the next start. */
  setThresholds(thresholds: Thresholds, actor: string, reason: string): Thresholds {
    const old = this.thresholds;
    const at = new Date();
    // Written whole before it applies: on a full disk the change is refused with the reason (issue 11, item 3).
    this.writes.run('the thresholds change', () => {
      this.audit.record({ at, actor, subject: 'thresholds', old, new: thresholds, reason });
      this.settingsStore.set(THRESHOLDS_SETTING, thresholds, actor, reason, at);
    });
    this.thresholds = { ...thresholds };
    this.thresholdsSetBy = { actor, at: at.toISOString(), reason };
    this.settings.logger.info(`thresholds pit ≥ ${thresholds.pit}, maybe ≥ ${thresholds.maybe} (were ${old.pit}, ${old.maybe}; by ${actor}: ${reason})`);
    return this.thresholds;
  }

  /**
   * A new cap on the log file (storage.maxDatabaseBytes; null: none) while running: a technician who made
   * room raises it and what waited is written at once. Also how the attack tests fill the log on demand.
   */
  setDatabaseCap(maxBytes: number | null): void {
    applyDatabaseCap(this.db, maxBytes);
    this.log.setDatabaseCap(maxBytes);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.benchmarks.stop();
    await this.source.stop();
    if (this.statusTimer) clearInterval(this.statusTimer);
    if (this.watchTimer) clearInterval(this.watchTimer);
    await this.swapping?.catch(() => undefined);
    await this.pipeline.whenIdle();
    await this.machine?.stop();
    // Frames whose deadline has not come: the line stops, so they are decided now (rejected).
    for (const timer of this.deadlines.values()) clearTimeout(timer);
    this.deadlines.clear();
    await this.output.close();
    await this.queries.close();
    await this.log.close();
    this.events.close();
    this.db.close();
    await this.active.loaded.client.close();
    this.loopDelay.stop();
    this.dataDirLock?.release();
  }

  /**
   * The shift's counts so far and the last hour's, from the log, so a restart mid-shift keeps them:
   * two indexed counts on the main connection before the line starts, so start-up waits for no worker.
   */
  private seedShiftCounts(): void {
    const hourAgo = new Date(Date.now() - 60 * 60_000);
    this.shiftCounts.seed(decisionCountsSince(this.db, this.shiftCounts.current.startedAt), minuteCountsSince(this.db, hourAgo));
  }

  private watchStartedAt = performance.now();
  private machine: MachineHealthMonitor | null = null;

  private async startMachineHealth(): Promise<void> {
    const sensors = this.settings.config.sensors;
    if (sensors.sources.length === 0) return;
    const pkg = await loadModelPackage(sensors.model.dir!, { maxFileBytes: this.settings.config.model.maxFileBytes });
    if (!isTabularPackage(pkg))
      throw new ModelPackageError(`sensor model ${pkg.manifestPath} is a ${pkg.manifest.task} model; machine health needs a tabular model`);
    try {
      // The sensor model is a model file too: its first load on this station runs in the load probe first.
      await this.probes.ensure(pkg, this.runtime);
      this.machine = await MachineHealthMonitor.start({
        config: sensors,
        pkg,
        settings: this.runtime.session,
        entry: this.settings.workers.inference,
        alarms: this.alarms,
        events: this.events,
        logger: this.settings.logger,
      });
    } catch (err) {
      const reasons = err instanceof ModelProblemsError ? err.problems.join('; ') : (err as Error).message;
      throw new ModelPackageError(`sensor model ${pkg.modelPath} cannot be run: ${reasons}`);
    }
  }

  private run(): void {
    this.watchStartedAt = performance.now();
    this.loopDelay.start();
    this.statusTimer = setInterval(() => {
      this.sessions.tick();
      this.emit('sample', this.diagnostics.sample(Date.now()));
      this.emit('status', this.getStatus());
    }, STATUS_INTERVAL_MS);
    this.watchTimer = setInterval(() => this.watch(), WATCH_INTERVAL_MS);
    this.source.start(
      (frame) => this.accept(frame),
      () => this.settings.logger.info(`source finished after ${this.frames.seen} frames`),
    );
  }

  /**
   * The watchdog: a camera that is down, or has sent nothing for stallMs, and a model whose worker
   * is being restarted each raise an alarm and engage the fail-safe until they recover.
   */
  private watch(): void {
    const now = performance.now();
    const state = this.source.state;
    const { stallMs } = this.settings.config.source;
    if (state === 'down') {
      this.alarms.raise('camera', 'camera', 'alarm', `camera down: ${this.source.stats().lastError ?? 'no reason given'}`);
    } else if (state === 'running' || state === 'starting') {
      const silentMs = now - (this.lastFrameAt ?? this.watchStartedAt);
      if (silentMs > stallMs) this.alarms.raise('camera', 'camera', 'alarm', `camera stalled: no frame for ${(silentMs / 1000).toFixed(1)} s`);
      else this.alarms.clear('camera');
    } else {
      this.alarms.clear('camera');
    }
    if (this.active.loaded.client.state === 'restarting')
      this.alarms.raise('model', 'model', 'alarm', 'model worker died and is being restarted: frames are rejected');
    else this.alarms.clear('model');
    this.watchStorage();
    this.updateFailSafe();
    this.output.setHealthy(!this.failSafeEngaged);
  }

  /**
   * Pauses the line: every item is rejected fail-safe and nothing is inferred, the fail-safe and an
   * alarm say so, and the reject output's heartbeat stops, until resumeLine().
   */
  pauseLine(reason: string): void {
    this.pausedBecause = reason;
    this.alarms.raise('line', 'line', 'alarm', `line paused: ${reason}: every item is rejected`);
    this.updateFailSafe();
    this.output.setHealthy(false);
  }

  resumeLine(): void {
    if (this.pausedBecause === null) return;
    this.pausedBecause = null;
    this.alarms.clear('line');
    this.updateFailSafe();
  }

  /** The camera delivers and the line is not paused. */
  get lineRunning(): boolean {
    return this.pausedBecause === null && (this.source.state === 'running' || this.source.state === 'starting');
  }

  /** The disk cap, the log's writes, the upload targets, moved-aside databases (log/storage-monitor.ts). */
  private watchStorage(): void {
    this.storageMonitor.watch();
  }

  /** Each cause of the fail-safe with its kind, so that the UI can say it in plain words (shared/operator-words.ts). */
  private failSafeCauses(): { kind: AlarmKind; message: string }[] {
    const causes = this.alarms
      .list()
      .filter((a) => FAIL_SAFE_ALARM_KINDS.includes(a.kind))
      .map((a) => ({ kind: a.kind, message: a.message }));
    // storage.whenFull: fail-safe (the default): no item is released while its decision cannot be recorded.
    const storage = this.storageMonitor.failSafeReason();
    return storage === null ? causes : [...causes, { kind: 'storage', message: storage }];
  }

  private failSafeReasons(): string[] {
    return this.failSafeCauses().map((c) => c.message);
  }

  private updateFailSafe(): void {
    const reasons = this.failSafeReasons();
    const engaged = reasons.length > 0;
    if (engaged === this.failSafeEngaged) return;
    this.failSafeEngaged = engaged;
    this.events.append({
      at: new Date(),
      kind: 'fail-safe',
      severity: engaged ? 'alarm' : 'info',
      message: engaged ? `fail-safe engaged: ${reasons.join('; ')}` : 'fail-safe released',
    });
  }

  private onAlarm(change: AlarmChange): void {
    const { alarm } = change;
    const message = alarmEventMessage(change);
    this.events.append({ at: new Date(change.at), kind: alarm.kind, severity: change.change === 'cleared' ? 'info' : alarm.severity, message });
    const log = change.change === 'cleared' ? this.settings.logger.info : this.settings.logger.warn;
    log(`alarm ${change.change}: ${alarm.message}`);
    this.emit('alarm', change);
  }

  private accept(frame: Frame): void {
    if (this.stopped) return;
    this.lastFrameAt = performance.now();
    this.sourceFps.mark();
    this.frames.seen++;
    const item: PipelineFrame = { frame, image: frame.data, receivedAt: performance.now() };
    const rules = this.settings.config.decision;
    // The rules that reject before anything is inferred: line/verdict.ts.
    const admission = admit(frame, this.pausedBecause, rules, Date.now());
    if (admission.kind === 'reject') return this.failSafeNow(item, admission.stage, admission.reason);
    // The deadline: no decision within it, and the item is rejected now, whatever comes later.
    this.deadlines.set(
      frame.id,
      setTimeout(() => this.failSafeNow(item, 'deadline', deadlineReason(rules)), admission.deadlineInMs),
    );
    this.pipeline.submit(item);
  }

  /** Rejects an item at once, without a model's verdict (stale frame, deadline passed, line paused). */
  private failSafeNow(item: PipelineFrame, stage: 'stale' | 'deadline' | 'paused' | 'source', reason: string): void {
    this.finish(item, {
      kind: 'failed',
      model: null,
      stage,
      reason,
      timings: { queueMs: 0, decodeMs: null, preprocessMs: null, inferenceMs: null, batchSize: null },
    });
  }

  private finish({ frame, receivedAt }: PipelineFrame, outcome: Outcome): void {
    const deadline = this.deadlines.get(frame.id);
    if (outcome.kind !== 'failed' || (outcome.stage !== 'stale' && outcome.stage !== 'paused' && outcome.stage !== 'source')) {
      // Decided once: the deadline's reject, or the pipeline's outcome, whichever came first.
      if (!deadline) return;
      clearTimeout(deadline);
      this.deadlines.delete(frame.id);
    }
    const model = outcome.model ?? this.active.loaded;
    const { manifest } = model.pkg;
    const { timings } = outcome;
    const td = performance.now();
    // Every reject-on-doubt rule after the pipeline: line/verdict.ts.
    const { decision, failSafeReason, rejectScore, scores, counts } = verdictOf(
      outcome.kind === 'scored'
        ? { kind: 'scored', probabilities: outcome.probabilities, labels: model.pkg.labels, rejectIndex: model.pkg.rejectIndex! }
        : outcome,
      {
        thresholds: this.thresholds,
        capturedAt: frame.capturedAt,
        now: Date.now(),
        deadlineMs: this.settings.config.decision.deadlineMs,
        storageVeto: this.storageMonitor.failSafeReason(),
      },
    );
    const decisionMs = outcome.kind === 'scored' ? performance.now() - td : null;
    if (counts === 'classified') this.frames.classified++;
    if (counts === 'error') {
      this.frames.errors++;
      this.lastError = `frame ${frame.id} (${frame.origin}): ${failSafeReason}`;
      this.settings.logger.warn(this.lastError);
    }
    this.output.decide(frame.id, decision);
    const tl = performance.now();
    const capturedAt = new Date(frame.capturedAt).toISOString();
    const picture = pictureOf(frame.data, outcome);
    const image = picture ? this.keeper.keep(frame.id, frame.capturedAt, decision, failSafeReason !== null, picture) : null;
    this.log.append({
      imagePath: image?.path ?? null,
      imageBytes: image?.bytes ?? 0,
      frameId: frame.id,
      capturedAt,
      origin: frame.origin,
      modelName: manifest.name,
      modelVersion: manifest.version,
      rejectScore,
      scores,
      decision,
      failSafeReason,
      decodeMs: timings.decodeMs,
      preprocessMs: timings.preprocessMs,
      inferenceMs: timings.inferenceMs,
      decisionMs,
      totalMs: tl - receivedAt,
      // What the row was decided with, for History and the CSV (issue 12).
      pitThreshold: this.thresholds.pit,
      maybeThreshold: this.thresholds.maybe,
    });
    const logMs = performance.now() - tl;
    const totalMs = performance.now() - receivedAt;
    if (timings.decodeMs !== null) this.latency.record('decode', timings.decodeMs);
    if (timings.preprocessMs !== null) this.latency.record('preprocess', timings.preprocessMs);
    if (timings.inferenceMs !== null) this.latency.record('inference', timings.inferenceMs);
    if (decisionMs !== null) this.latency.record('decision', decisionMs);
    this.latency.record('log', logMs);
    this.latency.record('total', totalMs);
    this.decisions[decision]++;
    this.shiftCounts.record(decision, new Date());
    this.fps.mark();

    const inspection: Inspection = {
      frameId: frame.id,
      capturedAt,
      origin: frame.origin,
      decision,
      rejectScore,
      scores: scores ?? {},
      ...(failSafeReason ? { failSafeReason } : {}),
      totalMs: Math.round(totalMs * 100) / 100,
      modelVersion: manifest.version,
    };
    this.memory.remember(inspection, picture);
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

/**
 * The configured model as a registered version (model-registry.ts registerConfigured); `read` is its package when
 * start-up read it already. It never stops the station: a model that cannot be read or registered is said so.
 */
async function registerConfigured(registry: ModelRegistry, settings: EngineSettings, read: ModelPackage | null): Promise<ConfiguredRegistration> {
  try {
    const pkg = read ?? (await loadModelPackage(settings.modelDir, { maxFileBytes: settings.config.model.maxFileBytes }));
    return registry.registerConfigured(pkg, new Date());
  } catch (err) {
    return { problem: `the configured model ${settings.modelDir} could not be registered (${(err as Error).message}): a rollback cannot return to it` };
  }
}

/** The config's inference settings for this machine, with what a technician applied on top. */
function runtimeFor(config: StationConfig['inference'], override: InferenceOverride | null): InferenceRuntime {
  const session = resolveSessionSettings(config, { platform: process.platform, cores: availableParallelism() });
  if (!override) return { session, mode: config.mode, maxBatch: config.maxBatch };
  return { session: { ...session, providers: override.providers, intraOpThreads: override.intraOpThreads }, mode: override.mode, maxBatch: override.maxBatch };
}

/** The load probe's gate for this station: refusals go to the log, and to `record` (the event log). */
function firstLoadGate(db: SqliteDatabase, settings: EngineSettings, record: (message: string) => void): FirstLoadGate {
  const { config, logger } = settings;
  return new FirstLoadGate(new ProbedModels(db), {
    entry: settings.workers.modelProbe,
    limits: { memoryMiB: config.model.loadMemoryMiB, timeoutMs: config.model.loadTimeoutS * 1000 },
    onRefused: (message) => {
      logger.error(message);
      record(message);
    },
    onPassed: (message) => logger.info(message),
  });
}

/**
 * The frame's bytes when they are a picture worth keeping and showing, else null (issue 11: a 200 MB junk
 * file was once kept as a "kept image"): what the pipeline decoded, or, for an item rejected before it was
 * decoded (stale, late, paused, dropped), bytes that say they are a picture (they are under maxFrameBytes).
 * Never what failed to decode.
 */
function pictureOf(data: Uint8Array, outcome: Outcome): Uint8Array | null {
  if (outcome.kind === 'failed' && outcome.stage === 'decode') return null;
  return imageFormatOf(data) !== null ? data : null;
}
