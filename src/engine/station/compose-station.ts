/**
 * The composition root: builds the station's services from what start-up
 * opened (open-station.ts), each with one job and what it needs passed in,
 * and wires the inspection line to its sinks. Nothing here decides; the
 * engine (station-engine.ts) runs and stops what this builds.
 */
import { createTransportCounters, type TransportCounters } from '../../shared/status';
import { AlarmBoard } from '../alarms/alarm-board';
import { alarmEventMessage } from '../alarms/alarm-event-message';
import { SessionManager } from '../auth/session-manager';
import { StationBenchmarks } from '../bench/station-benchmarks';
import { InspectionLine } from '../line/inspection-line';
import { StorageMonitor } from '../log/storage-monitor';
import { createBoundaryCounters, type BoundaryCounters } from '../metrics/boundary-counters';
import { DiagnosticsSampler } from '../metrics/diagnostics-sampler';
import { LoopDelayMonitor } from '../metrics/loop-delay';
import { ProcessUsageMeter } from '../metrics/process-usage';
import { AuditTrail } from '../storage/audit-trail';
import { BenchStore } from '../storage/bench-store';
import { EventLog } from '../storage/event-log';
import { FileIdentity } from '../storage/file-identity';
import { ImageKeeper } from '../storage/image-keeper';
import { MainWrites } from '../storage/main-writes';
import type { LoadedModel } from '../models/loaded-model';
import { benchHostOf } from './bench-host';
import { EngineEvents } from './engine-events';
import type { EngineSettings } from './engine-settings';
import { HistoryReads } from './history-reads';
import { LineTally } from './line-tally';
import { ModelService } from './model-service';
import type { OpenedStation } from './open-station';
import { ThresholdSettings } from './threshold-settings';
import { composeLoop } from './compose-loop';
import type { StationServices } from './station-services';
import { watchCamera } from './camera-watch';
import { DriftMonitor } from '../drift/drift-monitor';
import type { Calibration } from '../../shared/calibration';
import { Watchdog } from './watchdog';
import { RecipeService } from './recipe-service';
import { RecipeStore } from '../storage/recipe-store';
import { CalibrationStore } from '../storage/calibration-store';
import { messageOf } from '../error-message';

/** A calibration's labelled scores, defects and good items together: the distribution the line's scores are held to. */
function referenceScores(calibration: Calibration | null): number[] | null {
  return calibration ? [...calibration.defectScores, ...calibration.goodScores] : null;
}

export function composeStation(settings: EngineSettings, opened: OpenedStation, stopped: () => boolean): StationServices {
  const { config, logger } = settings;
  const { db, log, output, source, registry, probes, settingsStore } = opened;
  const events = new EngineEvents(logger);
  // A full disk raises the storage alarm; it never throws out of a timer (issue 11, item 3).
  const writes = new MainWrites(db, {
    path: settings.databasePath,
    identity: new FileIdentity(settings.databasePath),
    // The storage monitor is built below: these run only once the station runs.
    onRefused: (what, fault) => monitor.onRefused(what, fault),
    onRecovered: (episode) => monitor.onMainRecovered(episode),
  });
  // An event refused for itself (data that cannot be serialised) is logged and dropped, never retried (issue 11, review).
  const eventLog = new EventLog(db, writes, (e, reason) => logger.warn(`event "${String(e.message)}" (${String(e.kind)}): ${reason}`));
  opened.recordProbeRefusals((message) => eventLog.append({ at: new Date(), kind: 'model', severity: 'warning', message }));
  const audit = new AuditTrail(db);
  const alarms = new AlarmBoard((change) => {
    const severity = change.change === 'cleared' ? 'info' : change.alarm.severity;
    eventLog.append({ at: new Date(change.at), kind: change.alarm.kind, severity, message: alarmEventMessage(change) });
    (change.change === 'cleared' ? logger.info : logger.warn)(`alarm ${change.change}: ${change.alarm.message}`);
    events.emit('alarm', change);
  });
  const monitor = new StorageMonitor({ config: config.storage, databasePath: settings.databasePath, log, writes, events: eventLog, alarms, logger });
  log.onWriterChange((status, recovery) => monitor.onWriter(status, recovery));
  // Image writes in flight are bounded; a failed one is told to the log, whose row then names no image (issue 11, review).
  const keeper = new ImageKeeper(settings.dataDir, config.station.id, config.storage.images, (m) => logger.warn(m), {
    onNotKept: (image) => log.imageNotKept(image),
  });
  const models: ModelService = new ModelService(
    {
      ...{ settings, registry, probes, writes, audit, settingsStore, stopped },
      whenLineIdle: (model) => line.whenIdle(model),
      onImportProgress: (p) => events.emit('importProgress', p),
      onSwitched: (loaded) => showProvider(loaded),
    },
    opened.active,
    opened.runtime,
    opened.inferenceSetBy,
  );
  // A provider that failed its self-test: the model runs on the CPU, and every page says so (line-model.ts).
  const showProvider = (loaded: LoadedModel): void => {
    const failed = loaded.selfTestFailure;
    if (failed) alarms.raise('provider', 'provider', 'warning', `running on the CPU: ${failed.reason}`);
    else alarms.clear('provider');
  };
  showProvider(opened.active.loaded);
  const thresholds = new ThresholdSettings({ settingsStore, writes, audit, logger }, config.model.thresholds ?? opened.active.loaded.pkg.manifest.thresholds);
  const tally = new LineTally(config.shifts.starts, logger);
  // The reference is the running model's calibration in force (built below; read once per model).
  const drift = new DriftMonitor({
    config: config.drift,
    alarms,
    calibrationScores: () => referenceScores(calibration.current().calibration),
    onError: (err) => logger.warn(`drift watching failed on an item: ${messageOf(err)}`),
  });
  tally.lastError = opened.startupProblem;
  const model = () => models.current;
  const watchdog = new Watchdog({
    source,
    alarms,
    storage: monitor,
    output,
    events: eventLog,
    model,
    lastFrameAt: () => tally.lastFrameAt,
    stallMs: config.source.stallMs,
  });
  const line: InspectionLine = new InspectionLine(
    {
      model,
      thresholds: (m) => models.keptThresholds(m) ?? thresholds.current,
      pausedBecause: () => watchdog.notJudgedBecause,
      storageVeto: () => monitor.failSafeReason(),
    },
    config.decision,
    {
      ...{ output, keeper, log },
      decided: (d) => {
        const { item } = d;
        drift.observe({
          model: item.model,
          decision: item.verdict.decision,
          rejectScore: item.verdict.rejectScore,
          failSafe: item.verdict.failSafeReason !== null,
          at: item.capturedAt,
        });
        events.emit('inspection', tally.record(d));
        // Shadow comparison and captures are beside the line: nothing there may reach the line's sink.
        try {
          loop.decided(d);
        } catch (err) {
          logger.warn(`shadow trial or capture failed on item ${d.item.frameId}: ${messageOf(err)}`);
        }
      },
    },
    {
      maxWaitMs: config.inference.maxWaitMs,
      queueLimit: config.pipeline.queueLimit,
      dropPolicy: config.pipeline.dropPolicy,
      preprocessConcurrency: config.pipeline.decodeConcurrency,
    },
    settings.clock,
  );
  const running = () => ({ model: { name: model().pkg.manifest.name, version: model().pkg.manifest.version }, thresholds: thresholds.current });
  const history = new HistoryReads({ stationId: config.station.id, dataDir: settings.dataDir, log, queries: opened.queries, events: eventLog, audit, running });
  const sessions = new SessionManager({
    auth: config.auth,
    onEvent: (e) => {
      eventLog.append({ at: new Date(), kind: 'auth', severity: e.severity, message: e.message });
      logger.info(e.message);
    },
  });
  const host = benchHostOf({ settings, models, registry, probes, watchdog, tally });
  const benchmarks = new StationBenchmarks(host, new BenchStore(db, writes), settings.workers, logger, (p) => events.emit('benchProgress', p));
  const camera = watchCamera({ config: config.source, watchdog, settingsStore, writes, audit, logger });
  const recipes = new RecipeService({
    ...{ models, thresholds, settingsStore, writes, audit, logger },
    ...{ store: new RecipeStore(db, writes), calibrations: new CalibrationStore(db, writes) },
  });
  const loop = composeLoop({
    ...{ settings, opened, writes, audit, eventLog, alarms, models, thresholds, history, memory: tally.memory },
    emit: (event, payload) => events.emit(event, payload),
  });
  const { calibration } = loop;
  const loopDelay = new LoopDelayMonitor();
  const usage = new ProcessUsageMeter();
  const apiCounters: BoundaryCounters = createBoundaryCounters();
  const transportCounters: TransportCounters = createTransportCounters();
  const services: StationServices = {
    ...{ settings, opened, events, eventLog, history, startedAt: new Date(), models, thresholds, alarms, watchdog, tally, line },
    ...{ loopDelay, usage, sessions, benchmarks, storage: monitor, keeper, apiCounters, transportCounters, machine: null, plc: null, mqtt: null, opcua: null },
    ...{ source, log, output, loop, camera, drift, writes, audit, recipes },
    diagnostics: new DiagnosticsSampler(
      {
        latency: tally.latency,
        ...{ loopDelay, usage },
        counts: () => ({ decided: tally.decided, seen: tally.frames.seen, dropped: line.dropped }),
        machine: () => (services.machine ? { risk: services.machine.currentRisk, channels: services.machine.takeChannelRms() } : null),
      },
      Date.now(),
    ),
  };
  return services;
}
