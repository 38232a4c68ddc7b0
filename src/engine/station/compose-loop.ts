/**
 * The loop back to teaching, wired (issue 16): captures and labels, shadow
 * trials, teaching and calibrating on the station, and making INT8 variants
 * (issue 18). Built by the composition
 * root (compose-station.ts) with what they share; kept apart so that root
 * stays wiring of the line.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EventPayload } from '../../shared/contract';
import { Capturer } from '../capture/capturer';
import type { DecidedItem } from '../line/inspection-line';
import type { AlarmBoard } from '../alarms/alarm-board';
import type { AuditTrail } from '../storage/audit-trail';
import { CalibrationStore } from '../storage/calibration-store';
import { CaptureStore } from '../storage/capture-store';
import type { EventLog } from '../storage/event-log';
import type { MainWrites } from '../storage/main-writes';
import { ShadowStore } from '../storage/shadow-store';
import type { FrameMemory } from '../frame-memory';
import { CalibrationService } from './calibration-service';
import { CaptureService } from './capture-service';
import type { EngineSettings } from './engine-settings';
import type { HistoryReads } from './history-reads';
import type { ModelService } from './model-service';
import type { OpenedStation } from './open-station';
import { ShadowService } from './shadow-service';
import { TeachService } from './teach-service';
import { QuantizeService } from './quantize-service';
import type { ThresholdSettings } from './threshold-settings';

export interface LoopServices {
  readonly capturer: Capturer;
  readonly captures: CaptureService;
  readonly shadow: ShadowService;
  readonly teaching: TeachService;
  readonly calibration: CalibrationService;
  readonly quantize: QuantizeService;
  /** What the loop takes from each live verdict: the shadow trial's comparison, and captures. */
  readonly decided: (d: DecidedItem) => void;
}

export interface LoopDeps {
  readonly settings: EngineSettings;
  readonly opened: OpenedStation;
  readonly writes: MainWrites;
  readonly audit: AuditTrail;
  readonly eventLog: EventLog;
  readonly alarms: AlarmBoard;
  readonly models: ModelService;
  readonly thresholds: ThresholdSettings;
  readonly history: HistoryReads;
  readonly memory: FrameMemory;
  readonly emit: <E extends 'teachProgress' | 'calibrationProgress' | 'shadowProgress' | 'quantizeProgress'>(event: E, payload: EventPayload<E>) => void;
}

export function composeLoop(deps: LoopDeps): LoopServices {
  const { settings, opened, writes, audit, eventLog, alarms, models, thresholds, history, emit } = deps;
  const { db } = opened;
  const { logger, config } = settings;
  const captureStore = new CaptureStore(db, writes);
  const capturer = new Capturer({
    dataDir: settings.dataDir,
    config: config.capture,
    store: captureStore,
    drifting: () => alarms.has('drift'),
    onError: (m) => logger.warn(m),
  });
  const captures = new CaptureService({
    ...{ settings, db, store: captureStore, capturer, audit, history, memory: deps.memory },
    modelName: () => models.current.pkg.manifest.name,
  });
  // The labelled folder exists from the start, so it can be named as a root before the first label (import-roots.ts).
  for (const label of ['good', 'defective']) mkdirSync(join(captures.labelledFolder, label), { recursive: true });
  const calibrations = new CalibrationStore(db, writes);
  const shadow = new ShadowService({
    ...{ settings, models, thresholds, capturer, calibrations, audit, eventLog, writes },
    store: new ShadowStore(db, writes),
    captures: captureStore,
    onChange: (t) => emit('shadowProgress', t),
  });
  const teaching = new TeachService({
    ...{ settings, models, eventLog, logger },
    backboneDir: join(settings.app.bundledModelsDir, 'squeezenet-backbone'),
    ownFolders: [captures.labelledFolder],
    onChange: (run) => emit('teachProgress', run),
  });
  const calibration = new CalibrationService({
    ...{ settings, models, thresholds, eventLog },
    store: calibrations,
    ownFolders: [captures.labelledFolder],
    onProgress: (p) => emit('calibrationProgress', p),
  });
  const quantize = new QuantizeService({
    ...{ settings, models, audit, writes, eventLog },
    registry: opened.registry,
    ownFolders: [captures.labelledFolder],
    onProgress: (p) => emit('quantizeProgress', p),
  });
  return {
    ...{ capturer, captures, shadow, teaching, calibration, quantize },
    decided: (d) => {
      shadow.live(d);
      const { item } = d;
      capturer.observe({
        ...{ frameId: item.frameId, capturedAt: item.capturedAt, model: item.model, decision: item.verdict.decision },
        ...{ failSafe: item.verdict.failSafeReason !== null, rejectScore: item.verdict.rejectScore, scores: item.verdict.scores, picture: d.picture },
      });
    },
  };
}
