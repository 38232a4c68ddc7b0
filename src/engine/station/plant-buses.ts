/**
 * The plant's buses, opened with the line (issue 17): the PLC handshake over
 * Modbus TCP (plc-link.ts) with each trigger's times in the log, the MQTT
 * feed (mqtt/mqtt-publisher.ts) and the OPC UA server (opcua/opcua-server.ts),
 * whose methods switch recipes and acknowledge the PLC's result. Each is off
 * unless configured. A port that
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
import { PlcLink } from './plc-link';
import type { EjectorWatch } from '../plc/reject-confirmations';
import type { Decision } from '../../shared/decision';
import type { StationStatus } from '../../shared/status';
import { OpcUaStationServer, type MethodAnswer, type OpcUaStationMethods } from '../opcua/opcua-server';
import { messageOf } from '../error-message';
import type { RecipeService } from './recipe-service';

export interface PlantBuses {
  readonly plc: PlcLink | null;
  readonly mqtt: MqttPublisher | null;
  readonly opcua: OpcUaStationServer | null;
  /** Each PLC trigger's times, written once a second (null without a PLC). */
  readonly cycleLog: PlcCycleLog | null;
  /** A verdict of the line: the PLC's result for its trigger, the broker's decision. */
  decided(inspection: Inspection, labels: readonly string[]): void;
  alarmsChanged(alarms: readonly Alarm[]): void;
  /** The station's status, each second: what OPC UA clients read of the station's state. */
  statusChanged(status: StationStatus): void;
  /** Triggers still waiting for a frame are answered (the station is stopping; the line still runs). */
  stopTriggers(): void;
  close(): Promise<void>;
}

export interface PlantBusDeps {
  readonly config: StationConfig;
  readonly dataDir: string;
  readonly db: SqliteDatabase;
  readonly writes: MainWrites;
  readonly logger: Logger;
  /** An item for the line (trigger mode): a trigger with the frame that followed it. */
  readonly offer: (item: LineItem) => void;
  readonly ready: () => boolean;
  readonly ejector: EjectorWatch;
  readonly alarms: () => readonly Alarm[];
  readonly recipes: RecipeService;
  /** Items decided since start, by decision (OPC UA's counts, with each item). */
  readonly counts: () => Readonly<Record<Decision, number>>;
}

/** The station's state in one word for a client: what a PLC or SCADA screen shows beside it. */
function stateWord(s: StationStatus): string {
  if (s.failSafe.engaged) return 'fail-safe';
  if (s.line.paused) return 'paused';
  if (s.recipe?.switching) return 'switching recipe';
  if (s.model.state !== 'ready') return s.model.state === 'swapping' ? 'switching model' : 'model restarting';
  return s.source.state === 'running' ? 'running' : `camera ${s.source.state}`;
}

const countsOf = (c: Readonly<Record<Decision, number>>) => ({ inspected: c.clean + c.maybe + c.pit, good: c.clean, divert: c.maybe, reject: c.pit });

/** OPC UA's methods: a recipe by name (or by its index, given as digits), and an acknowledge of the PLC's result. */
function opcUaMethods(recipes: RecipeService, plc: () => PlcLink | null): OpcUaStationMethods {
  return {
    selectRecipe: async (recipe, user): Promise<MethodAnswer> => {
      const byName = recipes.state().recipes.find((r) => r.name === recipe);
      const target = byName ? { id: byName.id } : /^\d{1,5}$/.test(recipe) ? { index: Number(recipe) } : { name: recipe };
      try {
        const state = await recipes.switchTo(target, `opcua:${user}`, 'asked over OPC UA', 'opcua');
        return { accepted: true, message: `recipe "${state.current?.name ?? recipe}" is in force` };
      } catch (err) {
        return { accepted: false, message: messageOf(err) };
      }
    },
    acknowledgeResult: (resultId) => {
      const link = plc();
      return Promise.resolve(
        link
          ? link.acknowledge(resultId)
          : { accepted: false, message: 'the station has no PLC handshake (plc in its config): no result waits for an acknowledge' },
      );
    },
  };
}

export async function openPlantBuses(deps: PlantBusDeps): Promise<PlantBuses> {
  const { config, logger } = deps;
  const cycleLog = config.plc.kind === 'none' ? null : new PlcCycleLog(deps.db, deps.writes);
  let plc: PlcLink | null = null;
  let mqtt: MqttPublisher | null = null;
  let opcua: OpcUaStationServer | null = null;
  const buses: PlantBuses = {
    get plc() {
      return plc;
    },
    get mqtt() {
      return mqtt;
    },
    get opcua() {
      return opcua;
    },
    cycleLog,
    decided: (inspection, labels) => {
      plc?.decided(inspection, labels);
      mqtt?.decision(inspection);
      opcua?.update({ lastResult: inspection, counts: countsOf(deps.counts()) });
    },
    alarmsChanged: (alarms) => {
      mqtt?.alarms(alarms);
      opcua?.update({ alarms });
    },
    statusChanged: (s) => {
      opcua?.update({
        ...{ state: stateWord(s), ready: s.model.state === 'ready' && !s.line.paused, failSafe: s.failSafe.engaged },
        ...{ model: s.model.name, modelVersion: s.model.version, recipe: s.recipe?.inForce ? s.recipe.name : '', counts: countsOf(s.decisions) },
      });
    },
    stopTriggers: () => plc?.stopTriggers(),
    close: async () => {
      await opcua?.close();
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
    if (config.opcua.kind === 'server') {
      opcua = await OpcUaStationServer.start(config.opcua, {
        ...{ dataDir: deps.dataDir, stationId: config.station.id, stationName: config.station.name },
        methods: opcUaMethods(deps.recipes, () => plc),
        onError: (m) => logger.warn(m),
        log: (line) => logger.info(`node-opcua: ${line}`),
      });
      opcua.update({ alarms: deps.alarms() });
      logger.info(`OPC UA server at ${opcua.endpointUrl} (${config.opcua.securityModes.join(', ')})`);
    }
  } catch (err) {
    await buses.close();
    throw err;
  }
  return buses;
}
