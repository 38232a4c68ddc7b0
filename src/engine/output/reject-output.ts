/**
 * How decisions reach the sorter: nothing (the demo), a line per decision on
 * a serial port, or a coil pulsed over Modbus RTU. Each also sends a
 * heartbeat so the sorter's controller can tell the station is alive; the
 * heartbeat stops while the station cannot vouch for its decisions
 * (fail-safe engaged), and a controller without a heartbeat rejects
 * everything (positive release). A serial sorter may also confirm each
 * reject on the same line once its ejector fired (confirmed rejects, issue
 * 17): a reject not confirmed in time is told to the watchdog.
 */
import ModbusRTU from 'modbus-serial';
import { SerialPort } from 'serialport';
import type { Decision } from '../../shared/decision';
import type { OutputConfig } from '../../shared/storage-config';
import { RejectConfirmations, type ConfirmationFigures, type EjectorWatch } from '../plc/reject-confirmations';
import { LineSplitter } from '../sensors/line-splitter';

export interface OutputStatus {
  readonly kind: OutputConfig['kind'];
  readonly state: 'ready' | 'down' | 'off';
  readonly heartbeat: boolean;
  readonly commandsSent: number;
  readonly lastError?: string;
  readonly rejects?: ConfirmationFigures & { readonly junk: number };
}

export interface RejectOutput {
  decide(frameId: number, decision: Decision): void;
  /** Whether the station may vouch for its decisions now; the heartbeat runs only while it may. */
  setHealthy(healthy: boolean): void;
  /** Who hears of rejects the ejector did not confirm (outputs that hear confirmations). */
  watchEjector(watch: EjectorWatch): void;
  status(): OutputStatus;
  close(): Promise<void>;
}

class NoOutput implements RejectOutput {
  decide(): void {}
  setHealthy(): void {}
  watchEjector(): void {}
  status(): OutputStatus {
    return { kind: 'none', state: 'off', heartbeat: false, commandsSent: 0 };
  }
  async close(): Promise<void> {}
}

const REOPEN_MS = 1000;
/** A confirmation line is short; anything longer is junk to its end (a hostile or broken device cannot grow memory). */
const MAX_CONFIRM_LINE_BYTES = 256;

/** The frame id in a confirmation line, by its template (`EJECTED {frame}`); null when the line is not one. */
function confirmationParser(template: string): (line: string) => number | null {
  const [before, after] = template.split('{frame}') as [string, string];
  return (line) => {
    const text = line.trim();
    if (!text.startsWith(before.trim()) || !text.endsWith(after.trim())) return null;
    const id = text.slice(before.trim().length, text.length - after.trim().length).trim();
    return /^\d{1,15}$/.test(id) ? Number(id) : null;
  };
}

class SerialOutput implements RejectOutput {
  private port: SerialPort | null = null;
  private healthy = false;
  private sent = 0;
  private lastError: string | undefined;
  private heartbeatTimer: NodeJS.Timeout;
  private reopenTimer: NodeJS.Timeout | null = null;
  private closing = false;

  private watch: EjectorWatch | null = null;
  private readonly confirmations: RejectConfirmations | null = null;
  private readonly lines: LineSplitter | null = null;
  private junk = 0;

  constructor(private readonly config: Extract<OutputConfig, { kind: 'serial' }>) {
    const confirm = config.confirm;
    if (confirm) {
      this.confirmations = new RejectConfirmations(
        confirm.withinMs,
        (id, ms) => this.watch?.missing(id, ms, confirm.policy, 'item'),
        () => this.watch?.confirmed(),
      );
      const parse = confirmationParser(confirm.line);
      this.lines = new LineSplitter(
        MAX_CONFIRM_LINE_BYTES,
        (line) => {
          const id = parse(line);
          if (id === null) this.junk++;
          else this.confirmations?.confirm(id);
        },
        (reason) => reason === 'too-long' && this.junk++,
        false,
      );
    }
    this.open();
    this.heartbeatTimer = setInterval(() => this.healthy && this.write(config.heartbeatLine, false), config.heartbeatMs);
  }

  private open(): void {
    const port = new SerialPort({ path: this.config.path, baudRate: this.config.baudRate, autoOpen: false });
    port.open((err) => {
      if (err) return this.lost(`cannot open ${this.config.path}: ${err.message}`);
      this.port = port;
      // The sorter speaks only to answer a reject: its first line after the open is a whole confirmation.
      this.lines?.reset(false);
    });
    if (this.lines) port.on('data', (chunk: Buffer) => this.lines?.push(chunk));
    port.on('close', () => this.port === port && this.lost(`${this.config.path} closed`));
    port.on('error', (e: Error) => this.port === port && this.lost(`${this.config.path}: ${e.message}`));
  }

  private lost(reason: string): void {
    this.port = null;
    this.lastError = reason;
    if (!this.closing && !this.reopenTimer)
      this.reopenTimer = setTimeout(() => {
        this.reopenTimer = null;
        this.open();
      }, REOPEN_MS);
  }

  private write(line: string, counted: boolean): void {
    if (!this.port || line.length === 0) return;
    this.port.write(line);
    if (counted) this.sent++;
  }

  decide(frameId: number, decision: Decision): void {
    this.write(this.config.commands[decision].replaceAll('{frame}', String(frameId)), true);
    // Expected even when the port is down: the reject did not reach the ejector, which is what the alarm is for.
    if (decision === 'pit') this.confirmations?.expect(frameId);
  }

  setHealthy(healthy: boolean): void {
    this.healthy = healthy;
  }

  watchEjector(watch: EjectorWatch): void {
    this.watch = watch;
  }

  status(): OutputStatus {
    return {
      kind: 'serial',
      state: this.port ? 'ready' : 'down',
      heartbeat: this.healthy && this.port !== null,
      commandsSent: this.sent,
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.confirmations ? { rejects: { ...this.confirmations.figures(), junk: this.junk } } : {}),
    };
  }

  async close(): Promise<void> {
    this.closing = true;
    this.confirmations?.stop();
    clearInterval(this.heartbeatTimer);
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((r) => port.drain(() => port.close(() => r())));
  }
}

class ModbusOutput implements RejectOutput {
  private readonly client = new ModbusRTU();
  private ready = false;
  private healthy = false;
  private beat = false;
  private sent = 0;
  private lastError: string | undefined;
  private readonly heartbeatTimer: NodeJS.Timeout;
  /** Writes go one at a time: the bus is half-duplex. */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly config: Extract<OutputConfig, { kind: 'modbus' }>) {
    void this.connect();
    this.heartbeatTimer = setInterval(() => {
      if (!this.healthy) return;
      this.beat = !this.beat;
      this.coil(config.coils.heartbeat, this.beat, false);
    }, config.heartbeatMs);
  }

  private async connect(): Promise<void> {
    try {
      await this.client.connectRTUBuffered(this.config.path, { baudRate: this.config.baudRate });
      this.client.setID(this.config.unitId);
      this.client.setTimeout(500);
      this.ready = true;
    } catch (err) {
      this.lastError = `cannot open ${this.config.path}: ${(err as Error).message}`;
      setTimeout(() => void this.connect(), REOPEN_MS);
    }
  }

  private coil(address: number, value: boolean, counted: boolean): void {
    if (!this.ready) return;
    this.chain = this.chain
      .then(() => this.client.writeCoil(address, value))
      .then(
        () => {
          if (counted) this.sent++;
        },
        (err: Error) => {
          this.lastError = `coil ${address}: ${err.message}`;
        },
      );
  }

  decide(_frameId: number, decision: Decision): void {
    const address = decision === 'pit' ? this.config.coils.pit : decision === 'maybe' ? this.config.coils.maybe : undefined;
    if (address === undefined) return;
    this.coil(address, true, true);
    setTimeout(() => this.coil(address, false, false), this.config.pulseMs);
  }

  setHealthy(healthy: boolean): void {
    this.healthy = healthy;
  }

  /** Modbus RTU coils carry no confirmation back; a PLC confirms through the handshake (plc/). */
  watchEjector(): void {}

  status(): OutputStatus {
    return {
      kind: 'modbus',
      state: this.ready ? 'ready' : 'down',
      heartbeat: this.healthy && this.ready,
      commandsSent: this.sent,
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    await this.chain;
    if (this.client.isOpen) await new Promise<void>((r) => this.client.close(() => r()));
  }
}

export function createRejectOutput(config: OutputConfig): RejectOutput {
  switch (config.kind) {
    case 'none':
      return new NoOutput();
    case 'serial':
      return new SerialOutput(config);
    case 'modbus':
      return new ModbusOutput(config);
  }
}
