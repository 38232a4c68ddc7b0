/** The station's status, as the UI's every page reads it (src/shared/status.ts), from the services that hold each part. */
import type { StationStatus, TransportCounters } from '../../shared/status';
import type { AlarmBoard } from '../alarms/alarm-board';
import type { StationBenchmarks } from '../bench/station-benchmarks';
import type { SessionManager } from '../auth/session-manager';
import type { InspectionLine } from '../line/inspection-line';
import type { LogClient } from '../log/log-client';
import type { StorageMonitor } from '../log/storage-monitor';
import type { BoundaryCounters } from '../metrics/boundary-counters';
import type { LoopDelayMonitor } from '../metrics/loop-delay';
import type { ProcessUsageMeter } from '../metrics/process-usage';
import type { RejectOutput } from '../output/reject-output';
import type { MachineHealthMonitor } from '../sensors/machine-health';
import type { MqttPublisher } from '../mqtt/mqtt-publisher';
import type { RecipeService } from './recipe-service';
import type { OpcUaStationServer } from '../opcua/opcua-server';
import type { PlcLink } from './plc-link';
import type { FrameSource } from '../sources/frame-source';
import type { ImageKeeper } from '../storage/image-keeper';
import type { EngineSettings } from './engine-settings';
import type { LineTally } from './line-tally';
import type { ModelService } from './model-service';
import type { ThresholdSettings } from './threshold-settings';
import type { Watchdog } from './watchdog';
import { decoderStatus } from '../preprocess/native-codecs';

export interface StatusParts {
  readonly settings: EngineSettings;
  readonly startedAt: Date;
  readonly models: ModelService;
  readonly thresholds: ThresholdSettings;
  readonly source: FrameSource;
  readonly machine: MachineHealthMonitor | null;
  /** The PLC handshake and the MQTT feed, when configured (started with the line, station-engine.ts). */
  readonly plc: PlcLink | null;
  readonly mqtt: MqttPublisher | null;
  readonly opcua: OpcUaStationServer | null;
  readonly recipes: RecipeService;
  readonly alarms: AlarmBoard;
  readonly watchdog: Watchdog;
  readonly tally: LineTally;
  readonly line: InspectionLine;
  readonly loopDelay: LoopDelayMonitor;
  readonly usage: ProcessUsageMeter;
  readonly sessions: SessionManager;
  readonly benchmarks: StationBenchmarks;
  readonly log: LogClient;
  readonly storage: StorageMonitor;
  readonly keeper: ImageKeeper;
  readonly output: RejectOutput;
  readonly apiCounters: BoundaryCounters;
  readonly transportCounters: TransportCounters;
}

export function statusOf(p: StatusParts): StationStatus {
  const { config } = p.settings;
  const loaded = p.models.current;
  const { manifest } = loaded.pkg;
  const info = loaded.client.info;
  const runtime = p.models.runtime;
  const { tally, log, source } = p;
  const decided = tally.decided;
  const causes = p.watchdog.causes();
  const paused = p.watchdog.pausedBecause;
  return {
    station: {
      id: config.station.id,
      name: config.station.name,
      startedAt: p.startedAt.toISOString(),
      uptimeS: Math.round((Date.now() - p.startedAt.getTime()) / 1000),
    },
    model: {
      name: manifest.name,
      version: manifest.version,
      state: loaded.client.state === 'restarting' ? 'restarting' : p.models.isSwapping ? 'swapping' : 'ready',
      provider: info.provider,
      // A provider that failed its self-test is one passed over, with why (line-model.ts).
      fallbacks: [...(loaded.selfTestFailure ? [loaded.selfTestFailure] : []), ...info.fallbacks],
      decoder: decoderStatus(),
      labels: [...loaded.pkg.labels],
      rejectLabel: manifest.rejectLabel ?? '',
      notes: [...info.notes],
      registryId: p.models.registryId,
      mode: runtime.mode,
      batchSize: loaded.batchSize,
      threads: runtime.session.intraOpThreads,
      workerRestarts: loaded.client.restarts,
      settingsSetBy: p.models.inferenceSetBy,
    },
    thresholds: p.thresholds.current,
    thresholdsSetBy: p.thresholds.setBy,
    source: {
      kind: source.kind,
      description: source.description,
      state: source.state,
      fps: Math.round(tally.sourceFps.perSecond() * 10) / 10,
      ...source.stats(),
      lastFrameAgeMs: tally.lastFrameAt === null ? null : Math.round(performance.now() - tally.lastFrameAt),
      stallMs: config.source.stallMs,
    },
    machine: p.machine?.status() ?? null,
    alarms: p.alarms.list(),
    failSafe: { engaged: p.watchdog.failSafeEngaged, reasons: causes.map((c) => c.message), kinds: causes.map((c) => c.kind) },
    frames: { ...tally.frames, dropped: p.line.dropped },
    decisions: { ...tally.decisions },
    rejectRate: decided === 0 ? 0 : tally.decisions.pit / decided,
    ...tally.shiftCounts.snapshot(new Date()),
    fps: Math.round(tally.fps.perSecond() * 10) / 10,
    latencyMs: tally.latency.summaries(),
    loopDelayP99Ms: p.loopDelay.percentileMs(99),
    system: p.usage.current(),
    clients: p.sessions.counts(),
    line: { rateFps: config.line.rateFps, paused: paused !== null, pausedBecause: paused },
    benchmark: p.benchmarks.current,
    database: {
      path: p.settings.databasePath,
      databaseId: log.databaseId,
      rowsWritten: log.rowsWritten,
      pendingRows: log.pendingRows,
      lastFlushMs: Math.round(log.lastFlushMs * 1000) / 1000,
      lastSeq: log.lastSeq,
      sizeBytes: log.storageStatus()?.databaseBytes ?? 0,
      imagesBytes: log.storageStatus()?.imagesBytes ?? 0,
      ...p.storage.databaseStatus(),
      imageWrites: p.keeper.status(),
    },
    upload: log.uploadStatus().map((l) => ({ ...l })),
    output: p.output.status(),
    api: { ...p.apiCounters },
    connections: { ...p.transportCounters },
    ...(p.plc ? { plc: p.plc.figures() } : {}),
    ...(p.mqtt ? { mqtt: p.mqtt.figures() } : {}),
    ...(p.opcua ? { opcua: p.opcua.figures() } : {}),
    recipe: p.recipes.summary(),
    ...(tally.lastError ? { lastError: tally.lastError } : {}),
  };
}
