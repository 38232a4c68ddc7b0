/**
 * Temperature and humidity transmitters on Modbus RTU (modbus-serial): the
 * holding registers are polled, each value = raw × scale + offset, checked
 * against its range. No good answer for livenessMs marks the sensor down and
 * the port is opened again, waiting longer after each failure (capped).
 */
import ModbusRTU from 'modbus-serial';
import type { ModbusSensorConfig } from '../../shared/sensor-config';
import { Backoff } from '../sources/frame-source';
import { BaseSensorSource } from './sensor-source';

export class ModbusSensorSource extends BaseSensorSource {
  readonly kind = 'modbus';
  private client: ModbusRTU | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private lastGoodAt = 0;
  private readonly backoff: Backoff;
  private polling = false;

  constructor(private readonly config: ModbusSensorConfig) {
    super(config.id);
    this.backoff = new Backoff(config.reconnectMinMs, config.reconnectMaxMs);
  }

  get description(): string {
    return `Modbus RTU unit ${this.config.unitId} on ${this.config.path}, ${this.config.registers.length} register(s) every ${this.config.pollMs} ms`;
  }

  protected begin(): void {
    void this.connect();
  }

  protected async end(): Promise<void> {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    this.cancelRetry();
    await this.closeClient();
  }

  private async connect(): Promise<void> {
    if (!this.active) return;
    const client = new ModbusRTU();
    this.client = client;
    // The port's errors (EIO when the cable is pulled) arrive as an "error" event; unheard, one would end the station.
    client.on('error', (err: unknown) => {
      if (this.client !== client) return;
      const message = err instanceof Error ? err.message : String(err);
      this.junk('read-error', `${this.id}: ${message}`);
      this.retry(`${this.config.path}: ${message}`);
    });
    try {
      await client.connectRTUBuffered(this.config.path, { baudRate: this.config.baudRate, parity: this.config.parity });
    } catch (err) {
      return this.retry(`cannot open ${this.config.path}: ${(err as Error).message}`);
    }
    if (this.client !== client) return;
    client.setID(this.config.unitId);
    client.setTimeout(this.config.timeoutMs);
    this.lastGoodAt = Date.now();
    this.pollTimer = setInterval(() => void this.poll(client), this.config.pollMs);
    void this.poll(client);
  }

  private async poll(client: ModbusRTU): Promise<void> {
    if (this.polling || this.client !== client) return;
    this.polling = true;
    try {
      const values: Record<string, number> = {};
      let outOfRange = 0;
      for (const reg of this.config.registers) {
        const { data } = await client.readHoldingRegisters(reg.address, 1);
        const word = data[0]!;
        const raw = reg.signed && word > 0x7fff ? word - 0x10000 : word;
        const value = raw * reg.scale + reg.offset;
        if (value < reg.min || value > reg.max) outOfRange++;
        else values[reg.channel] = value;
      }
      if (outOfRange > 0) this.junk('out-of-range', `${this.id}: ${outOfRange} register value(s) out of range`);
      // Alive only while valid values come: a transmitter answering with garbage is as good as silent (issue 11).
      if (Object.keys(values).length === 0) return this.checkLiveness('only out-of-range values');
      this.lastGoodAt = Date.now();
      this.backoff.reset();
      this.up();
      this.emit(values);
    } catch (err) {
      this.junk('read-error', `${this.id}: ${(err as Error).message}`);
      this.checkLiveness('no answer');
    } finally {
      this.polling = false;
    }
  }

  /** No valid value for livenessMs: the transmitter is down, and the port is opened again. */
  private checkLiveness(what: string): void {
    if (Date.now() - this.lastGoodAt > this.config.livenessMs)
      this.retry(`no valid reading from unit ${this.config.unitId} on ${this.config.path} for ${this.config.livenessMs} ms: ${what}`);
  }

  private retry(reason: string): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    void this.closeClient();
    this.retryLater(
      reason,
      () => this.backoff.delay(),
      () => void this.connect(),
    );
  }

  private async closeClient(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client?.isOpen) await new Promise<void>((resolve) => client.close(() => resolve()));
  }
}
