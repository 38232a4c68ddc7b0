/**
 * A sensor on a serial line (node-serialport). Lines are split (capped, the
 * first partial one dropped), parsed and range-checked; junk is counted and
 * dropped. No valid reading for livenessMs (junk does not count: a device
 * babbling garbage is as good as silent, issue 11), a closed port or an error
 * marks it down; it is looked for and opened again, waiting longer after each
 * failure (capped). Writes are refused while it is down, never queued.
 */
import { SerialPort } from 'serialport';
import type { SerialSensorConfig } from '../../shared/sensor-config';
import { Backoff } from '../sources/frame-source';
import { LineParser } from './line-parser';
import { LineSplitter } from './line-splitter';
import { findPort } from './port-finder';
import { BaseSensorSource } from './sensor-source';

export class SensorWriteRefused extends Error {
  override readonly name = 'SensorWriteRefused';
}

export class SerialSensorSource extends BaseSensorSource {
  readonly kind = 'serial';
  private port: SerialPort | null = null;
  private livenessTimer: NodeJS.Timeout | null = null;
  private readonly backoff: Backoff;
  private readonly parser: LineParser;
  private readonly splitter: LineSplitter;
  private openPath: string | null = null;
  /** Bytes received since the last valid reading, for the message when liveness runs out. */
  private bytesSinceValid = 0;

  constructor(private readonly config: SerialSensorConfig) {
    super(config.id);
    this.backoff = new Backoff(config.reconnectMinMs, config.reconnectMaxMs);
    this.parser = new LineParser(config);
    this.splitter = new LineSplitter(
      config.maxLineBytes,
      (line) => this.onLine(line),
      (reason) => this.junk(reason),
    );
  }

  get description(): string {
    const where = this.config.path ?? JSON.stringify(this.config.match);
    return `serial ${where} at ${this.config.baudRate} baud, ${this.config.framing} lines`;
  }

  /** Sends bytes to the device (a command, a configuration); refused while the port is down. */
  write(data: string | Buffer): Promise<void> {
    const port = this.port;
    if (!port || this.state !== 'running') return Promise.reject(new SensorWriteRefused(`sensor ${this.id} is ${this.state}: write refused`));
    return new Promise((resolve, reject) => port.write(data, (err) => (err ? reject(err) : resolve())));
  }

  protected begin(): void {
    void this.connect();
  }

  protected async end(): Promise<void> {
    this.cancelRetry();
    if (this.livenessTimer) clearTimeout(this.livenessTimer);
    this.livenessTimer = null;
    await this.closePort();
  }

  private async connect(): Promise<void> {
    if (!this.active) return;
    const path = await findPort(this.config);
    if (!this.active) return;
    if (!path) return this.retry(`no serial port matches ${JSON.stringify(this.config.match)}`);
    const port = new SerialPort({ path, baudRate: this.config.baudRate, autoOpen: false });
    this.port = port;
    this.openPath = path;
    port.open((err) => {
      if (this.port !== port) return;
      if (err) return this.retry(`cannot open ${path}: ${err.message}`);
      this.splitter.reset();
      this.armLiveness();
    });
    port.on('data', (chunk: Buffer) => {
      if (this.port !== port) return;
      this.bytesSinceValid += chunk.length;
      this.splitter.push(chunk);
    });
    port.on('close', () => this.port === port && this.retry(`port ${path} closed`));
    port.on('error', (e: Error) => this.port === port && this.retry(`port ${path}: ${e.message}`));
  }

  /** Starts the liveness clock again: only on opening the port and on a valid reading. */
  private armLiveness(): void {
    if (this.livenessTimer) clearTimeout(this.livenessTimer);
    this.bytesSinceValid = 0;
    this.livenessTimer = setTimeout(() => {
      const what = this.bytesSinceValid > 0 ? `only junk (${this.bytesSinceValid} bytes)` : 'no data';
      this.retry(`no valid reading on ${this.openPath} for ${this.config.livenessMs} ms: ${what}`);
    }, this.config.livenessMs);
  }

  private onLine(line: string): void {
    const parsed = this.parser.parse(line);
    if (parsed.ok === 'header') return;
    if (parsed.ok === false) return this.junk(parsed.reason, `${this.id}: ${parsed.detail}`);
    if (parsed.outOfRange.length > 0) this.junk('out-of-range', `${this.id}: ${parsed.outOfRange.join(', ')} out of range`);
    if (Object.keys(parsed.values).length === 0) return;
    this.backoff.reset();
    this.armLiveness();
    this.up();
    this.emit(parsed.values);
  }

  private retry(reason: string): void {
    if (this.livenessTimer) clearTimeout(this.livenessTimer);
    this.livenessTimer = null;
    void this.closePort();
    this.retryLater(
      reason,
      () => this.backoff.delay(),
      () => void this.connect(),
    );
  }

  private async closePort(): Promise<void> {
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
