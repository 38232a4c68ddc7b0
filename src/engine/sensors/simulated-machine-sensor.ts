/**
 * A simulated machine as a sensor source: the demo default (issue 12). The
 * demo used to replay a 30-second recording whose bearing wore out in every
 * loop, so the machine-health alarm sounded every 30 s and nobody could tell
 * the demo's alarms from real ones. This machine runs healthy for hours,
 * steady, and wears its bearing once per cycle (default: 2½ min in every
 * 15, from minute 5), and says so: the event log announces each episode
 * before it begins, when it begins and when it ends, and while it lasts
 * (and a little after, while health settles) `note()` tells the health
 * monitor to mark its alarms as the demo's.
 *
 * Samples follow simulated time (speed × real time), as the recording
 * replay does, so a whole cycle can be watched in a minute.
 */
import type { SimulatedSensorConfig } from '../../shared/sensor-config';
import { BaseSensorSource } from './sensor-source';
import { MachineSignal, type Thermal } from './simulation/machine-signal';

/** How often samples are handed over: a batch per tick, as a serial port's data event would. */
const TICK_MS = 20;
/** After an episode the health it caused takes a while to settle (its hold, the features' window): still the demo's. */
const SETTLE_S = 90;
const START_TEMPERATURE_C = 38.2;
const THERMAL: Thermal = { kind: 'steady', settleC: START_TEMPERATURE_C, tauS: 60, wearHeatC: 8 };

const clock = (ms: number): string => new Date(ms).toLocaleTimeString('en-GB', { hour12: false });

function duration(s: number): string {
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m === 0) return `${rest} s`;
  return rest === 0 ? `${m} min` : `${m} min ${rest} s`;
}

export class SimulatedMachineSource extends BaseSensorSource {
  readonly kind = 'simulated';
  private timer: NodeJS.Timeout | null = null;
  private signal: MachineSignal | null = null;
  private cycle = -1;
  /** Samples sent so far: simulated time is sent / rateHz. */
  private sent = 0;
  private readonly noticeListeners = new Set<(message: string) => void>();
  /** The notices already given in the current cycle (announce, begin, end). */
  private readonly given = new Set<string>();
  private announcedAt: number | null = null;

  constructor(
    private readonly config: SimulatedSensorConfig,
    private readonly now: () => number = () => performance.now(),
  ) {
    super(config.id);
  }

  get description(): string {
    const w = this.config.wear;
    const speed = this.config.speed === 1 ? '' : `, at ×${this.config.speed}`;
    return (
      `simulated machine (demo): healthy, with bearing wear simulated for ${duration(w.rampS + w.holdS)} ` +
      `${duration(w.startS)} into every ${duration(w.cycleS)}, announced ${duration(w.announceS)} ahead${speed}`
    );
  }

  /** Registers a listener for the announcements (the health monitor writes them to the event log). */
  watchNotices(listener: (message: string) => void): void {
    this.noticeListeners.add(listener);
  }

  /** While an announced episode lasts (and its health settles): what to say with the alarms it causes. */
  note(): string | null {
    if (this.announcedAt === null || this.signal === null) return null;
    const t = this.cycleTimeS();
    const w = this.config.wear;
    const endS = w.startS + w.rampS + w.holdS;
    if (t < w.startS - w.announceS || t > endS + SETTLE_S) return null;
    return `Demo: simulated bearing wear (announced at ${clock(this.announcedAt)}), not a real fault.`;
  }

  protected begin(): void {
    const startedAt = this.now();
    const tick = (): void => {
      if (!this.active) return;
      const due = Math.floor((((this.now() - startedAt) / 1000) * this.config.speed + 1 / this.config.rateHz) * this.config.rateHz);
      const at = Date.now();
      this.up();
      while (this.sent < due) this.sendOne(at);
      this.timer = setTimeout(tick, TICK_MS);
    };
    this.timer = setTimeout(tick, 0);
  }

  protected async end(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private cycleTimeS(): number {
    return (this.sent / this.config.rateHz) % this.config.wear.cycleS;
  }

  private sendOne(at: number): void {
    const { rateHz, wear: w, seed } = this.config;
    const tS = this.sent / rateHz;
    const cycle = Math.floor(tS / w.cycleS);
    if (cycle !== this.cycle || this.signal === null) {
      // Each cycle is the same healthy machine with a new bearing: a fresh signal, seeded per cycle.
      this.cycle = cycle;
      this.given.clear();
      this.announcedAt = null;
      const endS = w.startS + w.rampS + w.holdS;
      const faults = w.rampS + w.holdS > 0 ? { bearingWear: { startS: w.startS, rampS: w.rampS, endS } } : {};
      this.signal = new MachineSignal(`${seed}:${cycle}`, rateHz, faults, START_TEMPERATURE_C, THERMAL);
    }
    this.noticesAt(tS - cycle * w.cycleS, at);
    const s = this.signal.next();
    this.sent++;
    this.emit({ vibration_g: s.vibration_g, temperature_c: s.temperature_c, humidity_pct: s.humidity_pct }, at);
  }

  /** The announcements due at this point of the cycle, each once. */
  private noticesAt(t: number, at: number): void {
    const w = this.config.wear;
    if (w.rampS + w.holdS <= 0) return;
    const endS = w.startS + w.rampS + w.holdS;
    const realS = (s: number): number => (s * 1000) / this.config.speed;
    if (t >= w.startS - w.announceS && t < w.startS && !this.given.has('announce')) {
      this.announcedAt = at;
      this.notify(
        'announce',
        `demo: simulated bearing wear begins at ${clock(at + realS(w.startS - t))} and lasts ${duration((w.rampS + w.holdS) / this.config.speed)}: ` +
          'machine health will drop to at risk or high risk, then come back to ok. It is not a real fault.',
      );
    }
    if (t >= w.startS && t < endS && !this.given.has('begin')) {
      this.announcedAt ??= at;
      this.notify('begin', `demo: simulated bearing wear begins now (ends at ${clock(at + realS(endS - t))})`);
    }
    if (t >= endS && this.given.has('begin') && !this.given.has('end')) {
      this.notify('end', 'demo: the simulated bearing was replaced; machine health returns to ok within a minute or two');
    }
  }

  private notify(step: string, message: string): void {
    this.given.add(step);
    for (const l of this.noticeListeners) {
      try {
        l(message);
      } catch {
        // an announcement is best effort: the readings go on
      }
    }
  }
}
