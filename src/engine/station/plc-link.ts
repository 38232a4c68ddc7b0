/**
 * The station's side of the PLC handshake (issue 17): the PLC's triggers pair
 * with the camera's frames (plc/trigger-pairing.ts) into the line's items, and
 * each item's verdict becomes the result the PLC reads for that trigger
 * (plc/plc-results.ts, plc/modbus-plc-server.ts). Every trigger gets exactly
 * one result: a frame's verdict, or NG with its error when no frame came or
 * no verdict did (the line's deadline and fail-safe). Each trigger's times,
 * stage by stage, go to Diagnostics and the log (plc/cycle-times.ts).
 */
import type { PlcConfig } from '../../shared/plc-config';
import type { Inspection } from '../../shared/inspection';
import type { LineItem } from '../line/inspection-line';
import type { Logger } from '../logger';
import { ModbusPlcServer, type PlcRecipes } from '../plc/modbus-plc-server';
import { ERROR_CODE } from '../plc/plc-map';
import { PlcResults } from '../plc/plc-results';
import { TriggerPairing, type TriggeredItem } from '../plc/trigger-pairing';
import { RejectConfirmations, type ConfirmationFigures, type EjectorWatch } from '../plc/reject-confirmations';
import { CycleTimes, type CycleEnding, type ItemCycle } from '../plc/cycle-times';
import type { CycleTimes as CycleTimesFigures } from '../../shared/status';
import type { Frame } from '../sources/frame-source';
import { messageOf } from '../error-message';

export interface PlcFigures {
  readonly triggers: number;
  readonly resultsBuffered: number;
  readonly overruns: number;
  readonly refusedRequests: number;
  /** Confirmed rejects, when expected: how many, confirmed, missing, unexpected, and the latest reject-to-confirmation times. */
  readonly rejects?: ConfirmationFigures;
  readonly cycleTimes: CycleTimesFigures;
}

/** An item between its decision and the end of its cycle. */
type OpenCycle = Omit<ItemCycle, 'confirmedAt' | 'ending' | 'shownAt'> & { shownAt: number | null };

export class PlcLink {
  private readonly pairing: TriggerPairing;
  private readonly results: PlcResults;
  private readonly server: ModbusPlcServer;
  /** Items in the line, by their line id: what trigger each answers. */
  private readonly inLine = new Map<number, TriggeredItem>();
  private readonly confirmations: RejectConfirmations | null;
  private readonly times = new CycleTimes();
  /** Decided items whose result is not shown yet, by item id; then rejects waiting for their confirmation, by trigger id. */
  private readonly unshown = new Map<number, OpenCycle>();
  private readonly unconfirmed = new Map<number, OpenCycle>();

  private constructor(
    config: Extract<PlcConfig, { kind: 'modbus-tcp' }>,
    private readonly deps: {
      readonly offer: (item: LineItem) => void;
      readonly ready: () => boolean;
      readonly logger: Logger;
      readonly ejector: EjectorWatch;
      /** Each trigger's times once its cycle ends (the log). */
      readonly cycleEnded: (cycle: ItemCycle) => void;
      /** Recipes by the PLC's index (RECIPE_REQUEST, RECIPE_CURRENT, RECIPE_STATE). */
      readonly recipes: PlcRecipes;
    },
  ) {
    this.results = new PlcResults(config.resultBuffer, (r) => this.shown(r.itemId));
    const confirm = config.rejectConfirm;
    this.confirmations = confirm
      ? new RejectConfirmations(
          confirm.withinMs,
          (id, ms) => {
            this.end(this.unconfirmed, id, 'missing', null);
            deps.ejector.missing(id, ms, confirm.policy, 'trigger');
          },
          (id) => {
            this.end(this.unconfirmed, id, 'confirmed', Date.now());
            deps.ejector.confirmed();
          },
        )
      : null;
    this.pairing = new TriggerPairing({
      frameTimeoutMs: config.frameTimeoutMs,
      emit: (item) => {
        this.inLine.set(item.id, item);
        deps.offer(item);
      },
    });
    this.server = new ModbusPlcServer({
      ...{ host: config.host, port: config.port, unitId: config.unitId, results: this.results },
      onTrigger: (triggerId) => this.pairing.trigger(triggerId),
      onAcknowledge: () => void this.results.acknowledge(),
      onConfirm: (triggerId) => this.confirmations?.confirm(triggerId),
      ready: deps.ready,
      recipes: deps.recipes,
      onError: (m) => deps.logger.warn(m),
    });
  }

  /** Listens for the PLC; throws (the station does not start) when the port cannot be had. */
  static async open(config: PlcConfig, deps: PlcLink['deps']): Promise<PlcLink | null> {
    if (config.kind === 'none') return null;
    const link = new PlcLink(config, deps);
    await link.server.start();
    deps.logger.info(`PLC handshake on Modbus TCP ${config.host}:${config.port}, unit ${config.unitId}: every trigger is one item`);
    return link;
  }

  figures(): PlcFigures {
    return {
      ...{ triggers: this.server.triggerCount, resultsBuffered: this.results.buffered, overruns: this.results.overruns, refusedRequests: this.server.refused },
      ...(this.confirmations ? { rejects: this.confirmations.figures() } : {}),
      cycleTimes: this.times.figures(),
    };
  }

  /** An acknowledge from outside Modbus (an OPC UA client): of the result shown now, named by its trigger id. */
  acknowledge(resultId: number): { accepted: boolean; message: string } {
    const shown = this.results.shown();
    if (!shown) return { accepted: false, message: 'no result is waiting for an acknowledge' };
    if (shown.triggerId !== resultId) return { accepted: false, message: `the result shown is trigger ${shown.triggerId}'s, not ${resultId}'s` };
    this.results.acknowledge();
    return { accepted: true, message: `result of trigger ${resultId} acknowledged` };
  }

  /** A camera frame: an item only if a trigger waits for it. */
  frame(frame: Frame): void {
    this.pairing.frame(frame);
  }

  /** A verdict of the line (the station's inspection event, every item): the result of the trigger its item answers. */
  decided(inspection: Inspection, labels: readonly string[]): void {
    const item = this.inLine.get(inspection.frameId);
    if (!item) return;
    this.inLine.delete(inspection.frameId);
    const { scores } = inspection;
    const top = labels.reduce((best, l, i) => ((scores[l] ?? -1) > (scores[labels[best]!] ?? -1) ? i : best), 0);
    const failSafe = inspection.failSafeReason !== undefined;
    const errorCode = !failSafe ? ERROR_CODE.none : item.frameWaitMs === null ? ERROR_CODE.noFrame : ERROR_CODE.noVerdict;
    const decidedAt = Date.now();
    const cycle: OpenCycle = {
      ...{ triggerId: item.triggerId, itemId: item.id, decision: inspection.decision, errorCode },
      ...{ triggeredAt: item.triggeredAt, frameAt: item.frameWaitMs === null ? null : item.capturedAt, decidedAt, shownAt: null },
    };
    this.unshown.set(item.id, cycle);
    const kept = this.results.push({
      triggerId: item.triggerId,
      itemId: item.id,
      decision: inspection.decision,
      classIndex: top,
      score: inspection.rejectScore,
      errorCode,
      cycleMs: decidedAt - item.triggeredAt,
    });
    if (!kept) {
      this.end(this.unshown, item.id, 'lost', null);
      this.deps.logger.warn(`PLC result of trigger ${item.triggerId} lost: ${this.results.buffered} results wait for the PLC's acknowledge`);
    }
  }

  /** A result the PLC can read now: the command. A reject then expects the ejector's confirmation. */
  private shown(itemId: number): void {
    const cycle = this.unshown.get(itemId);
    if (!cycle) return;
    this.unshown.delete(itemId);
    cycle.shownAt = Date.now();
    if (cycle.decision === 'pit' && this.confirmations) {
      // expect() first: a reject of the same trigger id still waiting is ended (missing) before this one takes its place.
      this.confirmations.expect(cycle.triggerId);
      this.unconfirmed.set(cycle.triggerId, cycle);
    } else this.finish(cycle, 'shown', null);
  }

  private end(open: Map<number, OpenCycle>, key: number, ending: CycleEnding, confirmedAt: number | null): void {
    const cycle = open.get(key);
    if (!cycle) return;
    open.delete(key);
    this.finish(cycle, ending, confirmedAt);
  }

  private finish(cycle: OpenCycle, ending: CycleEnding, confirmedAt: number | null): void {
    const done: ItemCycle = { ...cycle, confirmedAt, ending };
    this.times.record(done);
    try {
      this.deps.cycleEnded(done);
    } catch (err) {
      this.deps.logger.warn(`PLC cycle of trigger ${cycle.triggerId} not logged: ${messageOf(err)}`);
    }
  }

  /** Answers every trigger still waiting for a frame (the station is stopping; the line still runs). */
  stopTriggers(): void {
    this.pairing.stop();
  }

  /** Stops listening; the cycles still open end as they are (not shown, or not confirmed before the stop). */
  close(): Promise<void> {
    for (const id of this.confirmations?.stop() ?? []) this.end(this.unconfirmed, id, 'stopped', null);
    for (const r of this.results.drainUnshown()) this.end(this.unshown, r.itemId, 'not-shown', null);
    return this.server.close();
  }
}
