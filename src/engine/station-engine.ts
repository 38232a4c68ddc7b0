/**
 * The station: starts and stops what station/compose-station.ts builds, and
 * answers the UI from the service that holds each part; it decides nothing
 * itself.
 *
 *   source → InspectionLine (line/: admit, deadline, pipeline, verdict)
 *          → sinks: reject output, image keeper, log worker, LineTally → UI events
 *
 * Beside the line: the models (station/model-service.ts: registry, swap,
 * rollback, inference settings), the thresholds, the watchdog and fail-safe,
 * status, history reads, sessions, benchmarks and machine health. Start-up
 * opens what they run on (station/open-station.ts).
 */
import type { EventName, EventPayload } from '../shared/contract';
import type { StationStatus, TransportCounters } from '../shared/status';
import type { CameraHealthReport } from '../shared/camera-health';
import type { CameraWatch } from './station/camera-watch';
import { openPlantBuses, type PlantBuses } from './station/plant-buses';
import type { LineItem } from './line/inspection-line';
import type { SessionManager } from './auth/session-manager';
import type { StationBenchmarks } from './bench/station-benchmarks';
import { DataDirLock } from './data-dir-lock';
import type { BoundaryCounters } from './metrics/boundary-counters';
import { startMachineHealth } from './sensors/start-machine-health';
import { applyDatabaseCap } from './storage/database-cap';
import { decisionCountsSince, minuteCountsSince } from './storage/inspection-queries';
import { composeStation } from './station/compose-station';
import type { StationServices } from './station/station-services';
import type { EngineSettings } from './station/engine-settings';
import type { HistoryReads } from './station/history-reads';
import type { ModelService } from './station/model-service';
import { openStation } from './station/open-station';
import { statusOf } from './station/station-status';
import type { ThresholdSettings } from './station/threshold-settings';
import type { CalibrationService } from './station/calibration-service';
import type { TeachService } from './station/teach-service';
import type { QuantizeService } from './station/quantize-service';
import type { ShadowService } from './station/shadow-service';
import type { CaptureService } from './station/capture-service';
import type { RecipeService } from './station/recipe-service';
import { exportRecipes, importRecipes, type RecipeFileDeps } from './station/recipe-files';
import { messageOf } from './error-message';

export type { EngineSettings } from './station/engine-settings';
export { ModelActivationError } from './station/line-model';

const STATUS_INTERVAL_MS = 1000;
const MQTT_STATE_EVERY_TICKS = 5;

export class StationEngine {
  /** Requests from the UI, counted at the boundary by whichever shell carries them. */
  readonly apiCounters: BoundaryCounters;
  /** What the station's WebSocket and HTTP boundary did with clients that broke its rules (request-gate.ts). */
  readonly transportCounters: TransportCounters;
  /** One per UI connection: operator, or a signed-in technician. */
  readonly sessions: SessionManager;
  /** The benchmark panel's runs (one at a time, in a worker of their own). */
  readonly benchmarks: StationBenchmarks;
  /** Teaching a model on a labelled folder (one run at a time, in the teach worker). */
  readonly teaching: TeachService;
  /** Calibrating the running model's thresholds on a labelled folder. */
  readonly calibration: CalibrationService;
  /** Making INT8 variants of registered image models (one at a time, in the quantise worker). */
  readonly quantize: QuantizeService;
  /** Shadow trials: a candidate beside the live model, never actuating. */
  readonly shadow: ShadowService;
  /** Captured items and labels from people. */
  readonly captures: CaptureService;
  /** Recipes: saved, switched between two items by a technician, the PLC or OPC UA. */
  readonly recipes: RecipeService;
  private readonly s: StationServices;
  private statusTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private dataDirLock: DataDirLock | null = null;
  /** The PLC and MQTT, once the line starts (when configured). */
  private buses: PlantBuses | null = null;
  /** Set just before the line stops: from then on no item is offered to it. */
  private lineStopping = false;

  private constructor(
    private readonly settings: EngineSettings,
    s: StationServices,
  ) {
    this.s = s;
    ({ apiCounters: this.apiCounters, transportCounters: this.transportCounters, sessions: this.sessions, benchmarks: this.benchmarks } = s);
    ({ teaching: this.teaching, calibration: this.calibration, shadow: this.shadow, captures: this.captures, quantize: this.quantize } = s.loop);
    this.recipes = s.recipes;
  }

  /** Opens everything, loads and warms the model and starts the line; throws (leaving nothing open) when any part is bad. */
  static async start(settings: EngineSettings): Promise<StationEngine> {
    // One station per data folder: a second is refused before it opens anything (data-dir-lock.ts).
    const lock = DataDirLock.acquire(settings.dataDir);
    try {
      const opened = await openStation(settings);
      let engine: StationEngine | null = null;
      engine = new StationEngine(
        settings,
        composeStation(settings, opened, () => engine?.stopped ?? false),
      );
      await engine.begin();
      engine.dataDirLock = lock;
      return engine;
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  private async begin(): Promise<void> {
    const { logger, config } = this.settings;
    const { opened, tally, models, eventLog, alarms } = this.s;
    if (opened.configuredProblem) {
      logger.warn(opened.configuredProblem);
      eventLog.append({ at: new Date(), kind: 'model', severity: 'warning', message: opened.configuredProblem });
    }
    try {
      // The shift's counts and the last hour's from the log, so a restart mid-shift keeps them (before the line starts).
      const shift = tally.shiftCounts;
      shift.seed(decisionCountsSince(opened.db, shift.current.startedAt), minuteCountsSince(opened.db, new Date(Date.now() - 60 * 60_000)));
      this.s.machine = await startMachineHealth({
        ...{ config: config.sensors, maxFileBytes: config.model.maxFileBytes, runtime: models.runtime, entry: this.settings.workers.inference },
        ...{ probes: opened.probes, alarms, events: eventLog, logger },
      });
    } catch (err) {
      await this.stop();
      throw err;
    }
    const { pkg, client } = models.current;
    const { info } = client;
    const { session, mode } = models.runtime;
    const notUsed = info.fallbacks.length ? ` (not ${info.fallbacks.map((f) => f.provider).join(', ')})` : '';
    logger.info(
      `model ${pkg.manifest.name} ${pkg.manifest.version} on ${info.provider}${notUsed}, ${session.intraOpThreads} thread(s), ${mode} mode ` +
        `(load ${info.loadMs.toFixed(0)} ms, warm-up ${info.warmupMs.toFixed(0)} ms)`,
    );
    for (const note of info.notes) logger.warn(`model repaired on load: ${note}`);
    this.s.loopDelay.start();
    let ticks = 0;
    this.statusTimer = setInterval(() => {
      this.sessions.tick();
      this.s.events.emit('sample', this.s.diagnostics.sample(Date.now()));
      const status = this.getStatus();
      this.s.events.emit('status', status);
      this.buses?.statusChanged(status);
      // The plant's broker hears the state every few seconds (retained: a subscriber that comes later reads it at once).
      if (this.s.mqtt && ticks++ % MQTT_STATE_EVERY_TICKS === 0)
        this.s.mqtt.state({
          model: status.model.name,
          version: status.model.version,
          thresholds: status.thresholds,
          failSafe: status.failSafe.engaged,
          frames: status.frames,
        });
    }, STATUS_INTERVAL_MS);
    this.s.watchdog.start();
    /** An item for the line: a camera frame, or (trigger mode) a PLC trigger with the frame that followed it. */
    const admit = (item: LineItem): void => {
      // The candidate of a shadow trial is offered the item first, so the live verdict always finds it waiting;
      // whatever happens there, the live line gets the item.
      try {
        this.s.loop.shadow.offer(item, this.s.line.undecided);
      } catch (err) {
        logger.warn(`shadow trial: item ${item.id} not offered to the candidate: ${messageOf(err)}`);
      }
      this.s.line.offer(item);
    };
    // The plant's buses: a port that cannot be had, a CA file that cannot be read, and the station does not start.
    try {
      this.buses = await openPlantBuses({
        ...{ config, dataDir: this.settings.dataDir, db: opened.db, writes: this.s.writes, logger },
        // Until the line itself stops: triggers answered during the stop still get their result.
        offer: (item) => !this.lineStopping && admit(item),
        ready: () => !this.stopped && !this.s.models.isSwapping,
        ejector: {
          missing: (id, ms, policy, what) => this.s.watchdog.ejectorMissing(id, ms, policy, what),
          confirmed: () => this.s.watchdog.ejectorConfirmed(),
        },
        alarms: () => this.s.alarms.list(),
        recipes: this.s.recipes,
        counts: () => this.s.tally.decisions,
      });
    } catch (err) {
      await this.stop();
      throw err;
    }
    const buses = this.buses;
    ({ plc: this.s.plc, mqtt: this.s.mqtt, opcua: this.s.opcua } = buses);
    this.s.events.on('inspection', (i) => buses.decided(i, this.s.models.current.pkg.labels));
    this.s.events.on('alarm', () => buses.alarmsChanged(this.s.alarms.list()));
    const plc = buses.plc;
    opened.frameGeometryFrom(() => this.s.models.current.pkg.manifest.preprocessing);
    opened.source.start(
      (frame) => {
        if (this.stopped) return;
        tally.arrived();
        if (frame.unreadable === undefined) this.s.camera.health.offer(frame.data);
        if (plc) plc.frame(frame);
        else admit(frame);
      },
      () => logger.info(`source finished after ${tally.frames.seen} frames`),
    );
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.s.events.on(event, listener);
  }

  getStatus(): StationStatus {
    return statusOf(this.s);
  }

  // What the UI asks of the station, each answered by the service that holds it (api/handlers.ts).
  readonly getFrameImage = (frameId: number) => this.s.tally.memory.image(frameId);
  readonly getRecentInspections = (limit: number) => this.s.tally.memory.recent(limit);
  readonly getRecentRejects = (limit: number) => this.s.tally.memory.recentRejects(limit);
  readonly diagnosticsHistory = () => this.s.diagnostics.history();
  readonly scoreSample: HistoryReads['scoreSample'] = (window) => this.s.history.scoreSample(window);
  readonly queryInspections: HistoryReads['inspections'] = (filter, limit, beforeSeq) => this.s.history.inspections(filter, limit, beforeSeq);
  readonly exportInspections: HistoryReads['exportCsv'] = (filter) => this.s.history.exportCsv(filter);
  readonly inspectionImage: HistoryReads['image'] = (seq) => this.s.history.image(seq);
  readonly recentEvents: HistoryReads['events'] = (limit, kinds) => this.s.history.events(limit, kinds);
  readonly auditTrail: HistoryReads['audit'] = (limit) => this.s.history.audit(limit);
  readonly importCandidates = () => this.s.models.importCandidates();
  readonly listModels = () => this.s.models.list();
  readonly modelHistory = (limit: number) => this.s.models.history(limit);
  readonly importModel: ModelService['import'] = (source, actor, taskId) => this.s.models.import(source, actor, taskId);
  readonly activateModel: ModelService['activate'] = (id, actor, reason) => this.s.models.activate(id, actor, reason);
  readonly rollbackModel: ModelService['rollback'] = (actor, reason) => this.s.models.rollback(actor, reason);
  readonly applyInferenceSettings: ModelService['applyInferenceSettings'] = (next, actor, reason) => this.s.models.applyInferenceSettings(next, actor, reason);
  readonly inferenceOverride = () => this.s.models.inferenceOverride();
  readonly setThresholds: ThresholdSettings['set'] = (thresholds, actor, reason) => this.s.thresholds.set(thresholds, actor, reason);
  readonly pauseLine = (reason: string) => this.s.watchdog.pauseLine(reason);
  readonly driftWindows = () => this.s.drift.windows();
  readonly retakeCameraReference: CameraWatch['retakeReference'] = (actor, reason) => this.s.camera.retakeReference(actor, reason);
  readonly cameraHealth = (): CameraHealthReport => {
    const f = this.s.camera.health.figures();
    const { blurRatio, minLuminance, maxLuminance, maxClipped } = this.settings.config.source.pictureHealth;
    return { ...f, points: [...f.points], limits: { blurRatio, minLuminance, maxLuminance, maxClipped } };
  };
  readonly resumeLine = () => this.s.watchdog.resumeLine();
  readonly exportRecipes = (dest: string) => exportRecipes(this.recipeFiles(), dest);
  readonly importRecipes = (file: string, actor: string) => importRecipes(this.recipeFiles(), file, actor);
  private recipeFiles(): RecipeFileDeps {
    const { config } = this.settings;
    return { recipes: this.s.recipes, models: this.s.models, importRoots: config.model.importRoots ?? [], stationId: config.station.id };
  }

  /** The camera delivers and the line is not paused. */
  get lineRunning(): boolean {
    return this.s.watchdog.lineRunning;
  }

  /**
   * A new cap on the log file (storage.maxDatabaseBytes; null: none) while running: a technician who made
   * room raises it and what waited is written at once. Also how the attack tests fill the log on demand.
   */
  setDatabaseCap(maxBytes: number | null): void {
    applyDatabaseCap(this.s.opened.db, maxBytes);
    this.s.opened.log.setDatabaseCap(maxBytes);
  }

  /** Stops the line, finishes the items in hand, flushes the log and closes everything. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const { source, output, queries, log, db } = this.s.opened;
    await this.benchmarks.stop();
    await this.teaching.stop();
    await this.calibration.stop();
    await this.quantize.stop();
    await source.stop();
    // Triggers still waiting for a frame are answered (NG, no frame) while the line still runs.
    this.buses?.stopTriggers();
    await this.shadow.close();
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.s.watchdog.stop();
    await this.s.models.settled();
    this.lineStopping = true;
    await this.s.line.stop();
    await this.buses?.close();
    await this.s.machine?.stop();
    await output.close();
    await queries.close();
    await log.close();
    this.s.eventLog.close();
    db.close();
    await this.s.models.close();
    this.s.loopDelay.stop();
    this.dataDirLock?.release();
  }
}
