/**
 * Sensors to machine health:
 *
 *   sources → readings → rolling features (O(1) per sample)
 *           → every evaluateMs: feature vector → sensor model (its worker) → p_fail
 *           → × environmental multiplier → risk → ok / warn / alarm (hysteresis)
 *           → held for health.holdMs before it is reported (a spike is not an alarm)
 *
 * Each change of health is an event and an alarm on the board; a sensor that
 * is down is an alarm of its own; with every sensor down, not enough
 * samples yet, or a channel whose newest valid reading is older than its
 * window allows (health/staleness.ts), health is "unknown" (not "ok").
 */
import type { SensorsConfig } from '../../shared/sensor-config';
import type { MachineHealth as MachineHealthStatus, SensorStatus } from '../../shared/machine';
import type { AlarmBoard } from '../alarms/alarm-board';
import type { SessionSettings } from '../inference/session-settings';
import type { WorkerEntry } from '../rpc/worker-entry';
import type { Logger } from '../logger';
import type { TabularModelPackage } from '../model-package';
import type { EventLog } from '../storage/event-log';
import { TabularModel } from '../tabular/tabular-model';
import { createSensorSource } from './create-sensor-source';
import { FeatureExtractor } from './features/feature-extractor';
import { environmentMultiplier, riskOf } from './health/environment';
import { nextHealth, type HealthLevel } from './health/health-state';
import { holdLevel, type PendingLevel } from './health/level-hold';
import { describeStale, maxReadingAges, staleChannel } from './health/staleness';
import type { SensorReading, SensorSource } from './sensor-source';

export interface MachineHealthOptions {
  readonly config: SensorsConfig;
  readonly pkg: TabularModelPackage;
  readonly settings: SessionSettings;
  readonly entry: WorkerEntry;
  readonly alarms: AlarmBoard;
  readonly events: EventLog;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** The alarm raised while a channel health needs has no fresh valid reading. */
const STALE_ALARM = 'sensor-data';

const LEVEL_WORDS: Record<HealthLevel, string> = { unknown: 'unknown', ok: 'ok', warn: 'at risk', alarm: 'high risk' };

export class MachineHealthMonitor {
  private readonly extractor: FeatureExtractor;
  private readonly latest: Record<string, number> = {};
  private timer: NodeJS.Timeout | null = null;
  private evaluating = false;
  private level: HealthLevel = 'unknown';
  private reason: string | undefined = 'no evaluation yet';
  private pFail: number | null = null;
  private risk: number | null = null;
  private multiplier = 1;
  private rules: readonly string[] = [];
  private evaluatedAt: string | null = null;
  /** Since when the evaluated level has differed from the reported one (health.holdMs), and what it is now. */
  private pending: PendingLevel | null = null;
  /** Sum of squares and count per channel since the last takeChannelRms(), for the live sensor charts. */
  private readonly interval = new Map<string, { sumSq: number; n: number }>();
  /** When each channel last had a valid reading. */
  private readonly seenAt = new Map<string, number>();
  private readonly maxAges: ReadonlyMap<string, number>;
  /** The channels the features and the environmental rules read. */
  private readonly needed: ReadonlySet<string>;
  private readonly now: () => number;
  private readonly since: number;

  private constructor(
    private readonly opts: MachineHealthOptions,
    private readonly sources: readonly SensorSource[],
    private readonly model: TabularModel,
  ) {
    this.extractor = new FeatureExtractor(opts.pkg.manifest.features, opts.config.windowSamples, opts.config.sampleRateHz);
    this.maxAges = maxReadingAges(opts.config, this.extractor.channels);
    this.needed = new Set([...this.extractor.channels, ...opts.config.environment.flatMap((r) => Object.keys(r.when))]);
    this.now = opts.now ?? Date.now;
    this.since = this.now();
  }

  static async start(opts: MachineHealthOptions): Promise<MachineHealthMonitor> {
    if (opts.pkg.rejectIndex === null) throw new Error(`sensor model ${opts.pkg.manifest.name} names no rejectLabel (the failure class)`);
    const sources = await Promise.all(opts.config.sources.map(createSensorSource));
    const model = await TabularModel.load(opts.pkg, { settings: opts.settings, entry: opts.entry, capacity: 1 });
    const monitor = new MachineHealthMonitor(opts, sources, model);
    for (const s of sources) {
      // A simulated machine says what it is about to simulate: in the event log, before the alarm it causes.
      s.watchNotices?.((message) => {
        opts.events.append({ at: new Date(), kind: 'demo', severity: 'info', message });
        opts.logger.info(message);
      });
      s.start((r) => monitor.onReading(r));
    }
    monitor.timer = setInterval(() => void monitor.evaluate(), opts.config.health.evaluateMs);
    return monitor;
  }

  /** Readings pushed by hand (tests, a sensor on another transport). */
  onReading(reading: SensorReading): void {
    Object.assign(this.latest, reading.values);
    const now = this.now();
    for (const channel of Object.keys(reading.values)) this.seenAt.set(channel, now);
    this.extractor.push(reading.values);
    for (const [channel, value] of Object.entries(reading.values)) {
      let acc = this.interval.get(channel);
      if (!acc) this.interval.set(channel, (acc = { sumSq: 0, n: 0 }));
      acc.sumSq += value * value;
      acc.n++;
    }
  }

  /** Each channel's RMS over the readings since the last call (channels with none are left out); a new interval begins. */
  takeChannelRms(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [channel, acc] of this.interval) {
      if (acc.n > 0) out[channel] = Math.round(Math.sqrt(acc.sumSq / acc.n) * 1e4) / 1e4;
      acc.sumSq = 0;
      acc.n = 0;
    }
    return out;
  }

  /** Risk (p_fail × environment) from the last evaluation; null while health is unknown. */
  get currentRisk(): number | null {
    return this.risk;
  }

  status(): MachineHealthStatus {
    const info = this.model.client.info;
    return {
      state: this.level,
      ...(this.reason !== undefined ? { reason: this.reason } : {}),
      risk: this.risk,
      pFail: this.pFail,
      multiplier: this.multiplier,
      rules: [...this.rules],
      model: { name: this.opts.pkg.manifest.name, version: this.opts.pkg.manifest.version, provider: info.provider },
      evaluatedAt: this.evaluatedAt,
      sensors: this.sources.map((s): SensorStatus => ({ id: s.id, kind: s.kind, description: s.description, state: s.state, ...s.stats() })),
      channels: { ...this.latest },
    };
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all(this.sources.map((s) => s.stop()));
    await this.model.close();
  }

  private watchSensors(): boolean {
    let anyUp = false;
    for (const s of this.sources) {
      const id = `sensor:${s.id}`;
      if (s.state === 'down') this.opts.alarms.raise(id, 'sensor', 'alarm', `sensor ${s.id} down: ${s.stats().lastError ?? 'no reason given'}`);
      else this.opts.alarms.clear(id, `sensor ${s.id} delivering readings again`);
      if (s.state === 'running' || s.state === 'finished') anyUp = true;
    }
    return anyUp;
  }

  private async evaluate(): Promise<void> {
    if (this.evaluating || !this.timer) return;
    this.evaluating = true;
    try {
      if (!this.watchSensors()) return this.settle('unknown', 'no sensor is delivering readings');
      const stale = staleChannel(this.needed, this.maxAges, this.seenAt, this.since, this.now());
      if (stale) {
        const message = `machine health unknown: ${describeStale(stale)}`;
        this.opts.alarms.raise(STALE_ALARM, 'sensor', 'alarm', message);
        return this.settle('unknown', describeStale(stale));
      }
      this.opts.alarms.clear(STALE_ALARM, 'sensor data fresh again: machine health is judged again');
      const vector = this.extractor.vector();
      if (!vector.ok) return this.settle('unknown', vector.reason);
      const [probs] = await this.model.predict([[...vector.values]]);
      this.pFail = probs![this.opts.pkg.rejectIndex!]!;
      const env = environmentMultiplier(this.opts.config.environment, (c) => this.latest[c]);
      this.multiplier = env.multiplier;
      this.rules = env.rules;
      this.risk = riskOf(this.pFail, env.multiplier);
      this.evaluatedAt = new Date().toISOString();
      this.propose(nextHealth(this.level === 'unknown' ? 'ok' : this.level, this.risk, this.opts.config.health));
    } catch (err) {
      this.settle('unknown', `sensor model failed: ${(err as Error).message}`);
    } finally {
      this.evaluating = false;
    }
  }

  /** A known level from the model: reported once it has held for health.holdMs (health/level-hold.ts). */
  private propose(level: HealthLevel): void {
    if (level === this.level) this.reason = undefined;
    const step = holdLevel(this.level, level, this.pending, this.now(), this.opts.config.health.holdMs);
    this.pending = step.pending;
    if (step.report !== null) this.settle(step.report, undefined);
  }

  /** Simulated sources' word on what they simulate now (the demo), for the alarms it causes. */
  private note(): string | undefined {
    for (const s of this.sources) {
      const note = s.note?.();
      if (note) return note;
    }
    return undefined;
  }

  private settle(level: HealthLevel, reason: string | undefined): void {
    this.pending = null;
    this.reason = reason;
    if (level === 'unknown') {
      this.risk = null;
      this.pFail = null;
    }
    if (level === this.level) return;
    const from = this.level;
    this.level = level;
    const risk = this.risk !== null ? ` (risk ${this.risk.toFixed(2)}${this.rules.length ? `, ${this.rules.join(', ')}` : ''})` : reason ? ` (${reason})` : '';
    const note = this.note();
    const message = `machine health ${LEVEL_WORDS[from]} → ${LEVEL_WORDS[level]}${risk}${note ? ` (${note})` : ''}`;
    this.opts.events.append({
      at: new Date(),
      kind: 'health',
      severity: level === 'alarm' ? 'alarm' : level === 'warn' ? 'warning' : 'info',
      message,
      data: { from, to: level, risk: this.risk, pFail: this.pFail },
    });
    this.opts.logger.info(message);
    if (level === 'alarm') this.opts.alarms.raise('health', 'health', 'alarm', `machine health: high risk${risk}`, note);
    else if (level === 'warn') this.opts.alarms.raise('health', 'health', 'warning', `machine health: at risk${risk}`, note);
    else if (level === 'ok') this.opts.alarms.clear('health', `machine health back to ok${risk}`);
    else this.opts.alarms.clear('health', `machine health unknown${risk}`);
  }
}
