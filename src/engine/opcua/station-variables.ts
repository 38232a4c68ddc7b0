/**
 * The station as OPC UA variables (issue 17): the LineSight object and what
 * lies under it, each with a string NodeId a PLC programmer can type
 * (ns=1;s=LineSight.Counts.Good) and a browse name that says what it is. All
 * read-only to clients: the station is the only source of these values.
 *
 * `update()` runs on the station's hot path, once per decision: it writes
 * only what changed (so a subscriber is told of changes, not of updates),
 * allocates nothing for what did not, awaits nothing and never throws.
 */
import type { DataType, Namespace, StatusCode, UAObject, UAVariable } from 'node-opcua';
import type { Alarm } from '../../shared/alarms';
import type { Decision } from '../../shared/decision';
import type { Inspection } from '../../shared/inspection';
import type { OpcUa } from './opcua-module';

export interface OpcUaCounts {
  readonly inspected: number;
  readonly good: number;
  readonly divert: number;
  readonly reject: number;
}

/** An Inspection is one: the wiring passes the decided item as it is. */
export type OpcUaLastResult = Pick<Inspection, 'frameId' | 'capturedAt' | 'decision' | 'rejectScore' | 'failSafeReason'>;

/** What the station tells OPC UA clients; `update()` takes any part of it. */
export interface OpcUaStationValues {
  /** In the station's words: running, stopping, fail-safe, … */
  readonly state: string;
  /** The station decides items now. */
  readonly ready: boolean;
  /** Every item is rejected (the fail-safe is engaged). */
  readonly failSafe: boolean;
  readonly model: string;
  readonly modelVersion: string;
  readonly recipe: string;
  readonly counts: OpcUaCounts;
  readonly lastResult: OpcUaLastResult | null;
  /** The alarms standing now (an Alarm is one). */
  readonly alarms: readonly Pick<Alarm, 'kind' | 'message'>[];
}

/** The PLC's words for a decision (the same as the Modbus map's OK / NG / DIVERT). */
export const VERDICT_WORD: Readonly<Record<Decision, string>> = { clean: 'OK', pit: 'NG', maybe: 'DIVERT' };

/** The LineSight object's NodeId, and every node's under it: `ns=<own>;s=LineSight.<path with dots>`. */
export const LINESIGHT_NODE = 'LineSight';
const nodeIdOf = (path: string): string => `s=${LINESIGHT_NODE}.${path}`;

/** One variable, and the last value written to it: a write happens only when the value or its goodness changes. */
class Cell {
  private last: string | number | boolean | undefined = undefined;
  private lastGood = true;

  constructor(
    private readonly variable: UAVariable,
    private readonly dataType: DataType,
    private readonly good: StatusCode,
    /** The status a value without meaning carries (a score for an item rejected without one). */
    private readonly noValue: StatusCode,
  ) {}

  set(value: string | number | boolean, good = true): void {
    if (Object.is(value, this.last) && good === this.lastGood) return;
    this.last = value;
    this.lastGood = good;
    this.variable.setValueFromSource({ dataType: this.dataType, value }, good ? this.good : this.noValue);
  }

  /** A DateTime, compared by its milliseconds. */
  setTime(ms: number, good = true): void {
    if (Object.is(ms, this.last) && good === this.lastGood) return;
    this.last = ms;
    this.lastGood = good;
    this.variable.setValueFromSource({ dataType: this.dataType, value: new Date(ms) }, good ? this.good : this.noValue);
  }
}

/** The String array of the standing alarms ("kind: message"), rewritten only when an alarm came, went or changed its words. */
class AlarmCells {
  private kinds: string[] = [];
  private messages: string[] = [];

  constructor(
    private readonly opc: OpcUa,
    private readonly active: Cell,
    private readonly list: UAVariable,
  ) {}

  set(alarms: readonly Pick<Alarm, 'kind' | 'message'>[]): void {
    if (this.same(alarms)) return;
    this.kinds = alarms.map((a) => a.kind);
    this.messages = alarms.map((a) => a.message);
    this.active.set(alarms.length);
    this.list.setValueFromSource({
      dataType: this.opc.DataType.String,
      arrayType: this.opc.VariantArrayType.Array,
      value: alarms.map((a) => `${a.kind}: ${a.message}`),
    });
  }

  private same(alarms: readonly Pick<Alarm, 'kind' | 'message'>[]): boolean {
    if (alarms.length !== this.kinds.length) return false;
    for (let i = 0; i < alarms.length; i++) if (alarms[i]!.kind !== this.kinds[i] || alarms[i]!.message !== this.messages[i]) return false;
    return true;
  }
}

/** A UInt32 as OPC UA and the PLC read it: counts past 4,294,967,295 wrap to 0 like a PLC's counter. */
const uint32 = (n: number): number => n >>> 0;

export class StationVariables {
  private readonly state: Cell;
  private readonly ready: Cell;
  private readonly failSafe: Cell;
  private readonly model: Cell;
  private readonly modelVersion: Cell;
  private readonly recipe: Cell;
  private readonly inspected: Cell;
  private readonly good: Cell;
  private readonly divert: Cell;
  private readonly reject: Cell;
  private readonly resultId: Cell;
  private readonly decision: Cell;
  private readonly verdict: Cell;
  private readonly rejectScore: Cell;
  private readonly capturedAt: Cell;
  private readonly failSafeReason: Cell;
  private readonly alarms: AlarmCells;

  /** Builds the variables under the LineSight object, in its namespace, each at its starting value (no result yet: Id 0, the rest Bad). */
  constructor(
    private readonly opc: OpcUa,
    namespace: Namespace,
    readonly object: UAObject,
  ) {
    const { DataType, StatusCodes } = opc;
    const folder = (path: string, description: string): UAObject =>
      namespace.addObject({ nodeId: nodeIdOf(path), browseName: path, description, componentOf: object });
    const counts = folder('Counts', 'Items decided, by outcome (UInt32, wrapping past 4,294,967,295)');
    const last = folder('LastResult', 'The last item decided; Id changes last, so a subscriber to Id reads the rest with it');
    const alarms = folder('Alarms', 'The alarms standing now');
    const cell = (parent: UAObject, path: string, dataType: DataType, description: string, noValue = StatusCodes.BadWaitingForInitialData): Cell => {
      const name = path.split('.').at(-1)!;
      return new Cell(this.variable(namespace, parent, path, name, dataType, description), dataType, StatusCodes.Good, noValue);
    };
    this.state = cell(object, 'State', DataType.String, 'In the station’s words: running, stopping, fail-safe, …');
    this.ready = cell(object, 'Ready', DataType.Boolean, 'The station decides items now');
    this.failSafe = cell(object, 'FailSafe', DataType.Boolean, 'Every item is rejected until the cause is gone');
    this.model = cell(object, 'Model', DataType.String, 'The name of the model deciding');
    this.modelVersion = cell(object, 'ModelVersion', DataType.String, 'Its version');
    this.recipe = cell(object, 'Recipe', DataType.String, 'The recipe selected');
    this.inspected = cell(counts, 'Counts.Inspected', DataType.UInt32, 'Items decided');
    this.good = cell(counts, 'Counts.Good', DataType.UInt32, 'Items decided good (OK)');
    this.divert = cell(counts, 'Counts.Divert', DataType.UInt32, 'Items sent for a second look (DIVERT)');
    this.reject = cell(counts, 'Counts.Reject', DataType.UInt32, 'Items rejected (NG), fail-safe rejects included');
    this.resultId = cell(last, 'LastResult.Id', DataType.UInt32, 'The item’s id (its trigger id in trigger mode); 0 before the first');
    this.decision = cell(last, 'LastResult.Decision', DataType.String, 'clean, maybe or pit');
    this.verdict = cell(last, 'LastResult.Verdict', DataType.String, 'OK, DIVERT or NG');
    this.rejectScore = cell(
      last,
      'LastResult.RejectScore',
      DataType.Double,
      'The reject label’s score, 0–1; Bad (no value) for an item rejected without one',
      StatusCodes.BadNoValue,
    );
    this.capturedAt = cell(last, 'LastResult.CapturedAt', DataType.DateTime, 'When its picture was taken (UTC)');
    this.failSafeReason = cell(last, 'LastResult.FailSafeReason', DataType.String, 'Why it was rejected without a verdict; empty when it had one');
    const active = cell(alarms, 'Alarms.Active', DataType.UInt32, 'How many alarms stand');
    const messages = this.variable(namespace, alarms, 'Alarms.Messages', 'Messages', DataType.String, 'Each standing alarm as "kind: message"', 1);
    this.alarms = new AlarmCells(opc, active, messages);
    this.update({
      state: 'starting',
      ready: false,
      failSafe: false,
      model: '',
      modelVersion: '',
      recipe: '',
      counts: { inspected: 0, good: 0, divert: 0, reject: 0 },
      lastResult: null,
      alarms: [],
    });
    // An empty alarm list equals the starting one: written once here so that it reads as an empty array, not as no value.
    messages.setValueFromSource({ dataType: DataType.String, arrayType: opc.VariantArrayType.Array, value: [] });
  }

  /** Writes what changed of `values`. Throws on a value of the wrong kind (the server catches and reports it). */
  update(values: Partial<OpcUaStationValues>): void {
    if (values.state !== undefined) this.state.set(values.state);
    if (values.ready !== undefined) this.ready.set(values.ready);
    if (values.failSafe !== undefined) this.failSafe.set(values.failSafe);
    if (values.model !== undefined) this.model.set(values.model);
    if (values.modelVersion !== undefined) this.modelVersion.set(values.modelVersion);
    if (values.recipe !== undefined) this.recipe.set(values.recipe);
    const c = values.counts;
    if (c !== undefined) {
      this.inspected.set(uint32(c.inspected));
      this.good.set(uint32(c.good));
      this.divert.set(uint32(c.divert));
      this.reject.set(uint32(c.reject));
    }
    const r = values.lastResult;
    if (r === null) {
      // No result yet: Id 0, the rest Bad (waiting for initial data).
      this.decision.set('', false);
      this.verdict.set('', false);
      this.rejectScore.set(0, false);
      this.capturedAt.setTime(0, false);
      this.failSafeReason.set('', false);
      this.resultId.set(0);
    } else if (r !== undefined) {
      this.decision.set(r.decision);
      this.verdict.set(VERDICT_WORD[r.decision] ?? '');
      this.rejectScore.set(r.rejectScore ?? 0, r.rejectScore !== null && Number.isFinite(r.rejectScore));
      const at = Date.parse(r.capturedAt);
      this.capturedAt.setTime(Number.isNaN(at) ? 0 : at, !Number.isNaN(at));
      this.failSafeReason.set(r.failSafeReason ?? '');
      // Last: a client told of a new Id reads the rest of its result with it.
      this.resultId.set(uint32(r.frameId));
    }
    if (values.alarms !== undefined) this.alarms.set(values.alarms);
  }

  private variable(
    namespace: Namespace,
    parent: UAObject,
    path: string,
    browseName: string,
    dataType: DataType,
    description: string,
    valueRank = -1,
  ): UAVariable {
    return namespace.addVariable({
      nodeId: nodeIdOf(path),
      browseName,
      description,
      componentOf: parent,
      dataType,
      valueRank,
      ...(valueRank === 1 ? { arrayDimensions: [0] } : {}),
      accessLevel: 'CurrentRead',
      userAccessLevel: 'CurrentRead',
      // Changes are reported as they happen (setValueFromSource), not sampled.
      minimumSamplingInterval: 0,
    });
  }
}
