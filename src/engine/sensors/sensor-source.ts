/**
 * Something that delivers sensor readings: a serial line, a Modbus RTU
 * transmitter, a recording. Junk is counted by reason and dropped; a source
 * that goes quiet is marked down and tries again by itself.
 */

export interface SensorReading {
  readonly sourceId: string;
  /** When it was read, epoch ms. */
  readonly at: number;
  /** The values of the channels this reading carries (validated against their ranges). */
  readonly values: Readonly<Record<string, number>>;
}

export type JunkReason = 'partial' | 'too-long' | 'checksum' | 'malformed' | 'out-of-range' | 'no-channel' | 'read-error';

export type SensorState = 'starting' | 'running' | 'down' | 'finished' | 'stopped';

export interface SensorStats {
  readonly readings: number;
  readonly junk: Readonly<Record<JunkReason, number>>;
  readonly reconnects: number;
  readonly lastError?: string;
}

export interface SensorSource {
  readonly id: string;
  readonly kind: string;
  readonly description: string;
  readonly state: SensorState;
  stats(): SensorStats;
  start(onReading: (reading: SensorReading) => void): void;
  stop(): Promise<void>;
  /** A simulated source announces what it is about to simulate (simulated-machine-sensor.ts); a real one says nothing. */
  watchNotices?(listener: (message: string) => void): void;
  /** While a simulated fault lasts: what to say with the alarms it causes, so that nobody takes them for real. */
  note?(): string | null;
}

export const NO_JUNK: Readonly<Record<JunkReason, number>> = {
  partial: 0,
  'too-long': 0,
  checksum: 0,
  malformed: 0,
  'out-of-range': 0,
  'no-channel': 0,
  'read-error': 0,
};

/** The bookkeeping every sensor source shares. */
export abstract class BaseSensorSource implements SensorSource {
  abstract readonly kind: string;
  abstract readonly description: string;
  protected onReading: ((reading: SensorReading) => void) | null = null;
  private _state: SensorState = 'stopped';
  private readings = 0;
  private readonly junkCounts: Record<JunkReason, number> = { ...NO_JUNK };
  private reconnects = 0;
  private lastError: string | undefined;
  private wasDown = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(readonly id: string) {}

  get state(): SensorState {
    return this._state;
  }

  stats(): SensorStats {
    return {
      readings: this.readings,
      junk: { ...this.junkCounts },
      reconnects: this.reconnects,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  start(onReading: (reading: SensorReading) => void): void {
    if (this.onReading) return;
    this.onReading = onReading;
    this._state = 'starting';
    this.begin();
  }

  async stop(): Promise<void> {
    if (!this.onReading) return;
    this.onReading = null;
    await this.end();
    if (this._state !== 'finished') this._state = 'stopped';
  }

  protected abstract begin(): void;
  protected abstract end(): Promise<void>;

  protected get active(): boolean {
    return this.onReading !== null;
  }

  protected emit(values: Record<string, number>, at = Date.now()): void {
    if (!this.onReading) return;
    this.readings++;
    this.onReading({ sourceId: this.id, at, values });
  }

  protected up(): void {
    if (!this.active || this._state === 'running') return;
    if (this.wasDown) this.reconnects++;
    this.wasDown = false;
    this._state = 'running';
  }

  protected down(reason: string): void {
    if (!this.active) return;
    this.lastError = reason;
    if (this._state !== 'starting') this.wasDown = true;
    this._state = 'down';
  }

  /** Marks the source down and reconnects after `delay()` ms, unless a reconnect is already waiting. */
  protected retryLater(reason: string, delay: () => number, reconnect: () => void): void {
    this.down(reason);
    if (!this.active || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      reconnect();
    }, delay());
  }

  protected cancelRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  protected junk(reason: JunkReason, detail?: string): void {
    this.junkCounts[reason]++;
    // While down, the reason it is down stays the last error: the junk is counted by reason.
    if (detail !== undefined && this._state !== 'down') this.lastError = detail;
  }

  protected finish(): void {
    this._state = 'finished';
  }
}
