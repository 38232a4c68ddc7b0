/**
 * The plant's buses, opened with the line (issue 17): the PLC handshake over
 * Modbus TCP (plc-link.ts) with each trigger's times in the log, and the MQTT
 * feed (mqtt/mqtt-publisher.ts). Each is off unless configured. A port that
 * cannot be had or a CA file that cannot be read keeps the station from
 * starting, with the reason; once open, nothing here throws into the line.
 */
import type { Inspection } from '../../shared/inspection';
import type { Alarm } from '../../shared/alarms';
import type { StationConfig } from '../../shared/config';
import type { LineItem } from '../line/inspection-line';
import type { Logger } from '../logger';
import { MqttPublisher } from '../mqtt/mqtt-publisher';
import type { MainWrites } from '../storage/main-writes';
import { PlcCycleLog } from '../plc/plc-cycle-log';
import type { SqliteDatabase } from '../storage/database';
import { PlcLink, type EjectorWatch } from './plc-link';
import type { RecipeService } from './recipe-service';

export interface PlantBuses {
  readonly plc: PlcLink | null;
  readonly mqtt: MqttPublisher | null;
  /** Each PLC trigger's times, written once a second (null without a PLC). */
  readonly cycleLog: PlcCycleLog | null;
  /** A verdict of the line: the PLC's result for its trigger, the broker's decision. */
  decided(inspection: Inspection, labels: readonly string[]): void;
  alarmsChanged(alarms: readonly Alarm[]): void;
  /** Triggers still waiting for a frame are answered (the station is stopping; the line still runs). */
  stopTriggers(): void;
  close(): Promise<void>;
}

export interface PlantBusDeps {
  readonly config: StationConfig;
  readonly db: SqliteDatabase;
  readonly writes: MainWrites;
  readonly logger: Logger;
  /** An item for the line (trigger mode): a trigger with the frame that followed it. */
  readonly offer: (item: LineItem) => void;
  readonly ready: () => boolean;
  readonly ejector: EjectorWatch;
  readonly alarms: () => readonly Alarm[];
  readonly recipes: RecipeService;
}

export async function openPlantBuses(deps: PlantBusDeps): Promise<PlantBuses> {
  const { config, logger } = deps;
  const cycleLog = config.plc.kind === 'none' ? null : new PlcCycleLog(deps.db, deps.writes);
  let plc: PlcLink | null = null;
  let mqtt: MqttPublisher | null = null;
  const buses: PlantBuses = {
    get plc() {
      return plc;
    },
    get mqtt() {
      return mqtt;
    },
    cycleLog,
    decided: (inspection, labels) => {
      plc?.decided(inspection, labels);
      mqtt?.decision(inspection);
    },
    alarmsChanged: (alarms) => mqtt?.alarms(alarms),
    stopTriggers: () => plc?.stopTriggers(),
    close: async () => {
      await plc?.close();
      cycleLog?.close();
      await mqtt?.close();
    },
  };
  try {
    plc = await PlcLink.open(config.plc, {
      ...{ offer: deps.offer, ready: deps.ready, logger, ejector: deps.ejector },
      cycleEnded: (cycle) => cycleLog?.add(cycle),
      recipes: { current: () => deps.recipes.plcIndex(), state: () => deps.recipes.plcState(), request: (index) => deps.recipes.plcRequest(index) },
    });
    if (config.mqtt.kind === 'broker') {
      mqtt = new MqttPublisher(config.mqtt, config.station.id, (m) => logger.warn(m));
      mqtt.alarms(deps.alarms());
      logger.info(`publishing to MQTT ${config.mqtt.url} under ${mqtt.prefix}/`);
    }
  } catch (err) {
    await buses.close();
    throw err;
  }
  return buses;
}
