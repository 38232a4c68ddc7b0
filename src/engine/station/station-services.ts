/**
 * What the composition root (compose-station.ts) builds, as the engine
 * (station-engine.ts) holds it: every service, and the parts started with the
 * line (machine health, the plant's buses), set once they run.
 */
import type { DriftMonitor } from '../drift/drift-monitor';
import type { DiagnosticsSampler } from '../metrics/diagnostics-sampler';
import type { MqttPublisher } from '../mqtt/mqtt-publisher';
import type { OpcUaStationServer } from '../opcua/opcua-server';
import type { MachineHealthMonitor } from '../sensors/machine-health';
import type { AuditTrail } from '../storage/audit-trail';
import type { EventLog } from '../storage/event-log';
import type { MainWrites } from '../storage/main-writes';
import type { CameraWatch } from './camera-watch';
import type { LoopServices } from './compose-loop';
import type { EngineEvents } from './engine-events';
import type { HistoryReads } from './history-reads';
import type { OpenedStation } from './open-station';
import type { PlcLink } from './plc-link';
import type { RecipeService } from './recipe-service';
import type { StatusParts } from './station-status';

export interface StationServices extends StatusParts {
  readonly opened: OpenedStation;
  readonly events: EngineEvents;
  readonly eventLog: EventLog;
  /** The main thread's writes to the log and the audit trail, for services started with the line (plant-buses.ts). */
  readonly writes: MainWrites;
  readonly audit: AuditTrail;
  readonly history: HistoryReads;
  readonly diagnostics: DiagnosticsSampler;
  /** Set once machine health has started (it needs the alarms and the event log built here). */
  machine: MachineHealthMonitor | null;
  /** Set once the line starts, when configured (station-engine.ts). */
  plc: PlcLink | null;
  mqtt: MqttPublisher | null;
  opcua: OpcUaStationServer | null;
  /** Captures and labels, shadow trials, teaching and calibrating (compose-loop.ts). */
  readonly loop: LoopServices;
  /** Recipes: saved, switched between two items, as files (recipe-service.ts). */
  readonly recipes: RecipeService;
  /** Watches the camera's pictures: frozen (every frame, or a sample while one is being looked at), blur, exposure. */
  readonly camera: CameraWatch;
  /** Watches the line's scores and rates for drift from the running model's reference. */
  readonly drift: DriftMonitor;
}
