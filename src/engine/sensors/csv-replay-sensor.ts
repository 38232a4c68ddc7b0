/**
 * Replays a sensor recording (CSV with a time column in ms and one column per
 * channel) at its own pace, or faster: the demo default, and a way to run a
 * recorded incident through the health model again. Values out of range are
 * junk, as from a live sensor.
 */
import { readFile } from 'node:fs/promises';
import type { CsvReplaySensorConfig } from '../../shared/sensor-config';
import { BaseSensorSource } from './sensor-source';

export class SensorRecordingError extends Error {
  override readonly name = 'SensorRecordingError';
}

interface Row {
  readonly t: number;
  readonly values: Record<string, number>;
  readonly outOfRange: number;
}

export class CsvReplaySensorSource extends BaseSensorSource {
  readonly kind = 'csv-replay';
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly config: CsvReplaySensorConfig & { readonly file: string },
    private readonly rows: readonly Row[],
  ) {
    super(config.id);
  }

  static async open(config: CsvReplaySensorConfig & { readonly file: string }): Promise<CsvReplaySensorSource> {
    let text: string;
    try {
      text = await readFile(config.file, 'utf8');
    } catch (err) {
      throw new SensorRecordingError(`cannot read sensor recording ${config.file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    const lines = text
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    const header = lines[0]!.split(',').map((h) => h.trim());
    const timeAt = header.indexOf(config.timeColumn);
    if (timeAt < 0) throw new SensorRecordingError(`sensor recording ${config.file} has no column "${config.timeColumn}" (it has: ${header.join(', ')})`);
    const missing = Object.keys(config.channels).filter((c) => !header.includes(c));
    if (missing.length > 0) throw new SensorRecordingError(`sensor recording ${config.file} has no column ${missing.join(', ')}`);
    const rows: Row[] = [];
    for (const line of lines.slice(1)) {
      const cells = line.split(',');
      const t = Number(cells[timeAt]);
      if (!Number.isFinite(t)) continue;
      const values: Record<string, number> = {};
      let outOfRange = 0;
      for (const [name, spec] of Object.entries(config.channels)) {
        const v = Number(cells[header.indexOf(name)]);
        if (Number.isFinite(v) && v >= spec.min && v <= spec.max) values[name] = v;
        else outOfRange++;
      }
      rows.push({ t, values, outOfRange });
    }
    if (rows.length === 0) throw new SensorRecordingError(`sensor recording ${config.file} holds no rows`);
    return new CsvReplaySensorSource(config, rows);
  }

  get description(): string {
    return `recording ${this.config.file} (${this.rows.length} rows) at ×${this.config.speed}${this.config.loop ? ', looping' : ''}`;
  }

  protected begin(): void {
    const first = this.rows[0]!.t;
    const span = this.rows[this.rows.length - 1]!.t - first;
    const period = span + (this.rows.length > 1 ? span / (this.rows.length - 1) : 1);
    const startedAt = performance.now();
    let i = 0;
    let lap = 0;
    const tick = (): void => {
      if (!this.active) return;
      const elapsed = (performance.now() - startedAt) * this.config.speed;
      // Deliver every row whose time has come (a late timer catches up rather than drifting).
      while (lap * period + (this.rows[i]!.t - first) <= elapsed) {
        const row = this.rows[i]!;
        if (row.outOfRange > 0) this.junk('out-of-range');
        this.up();
        if (Object.keys(row.values).length > 0) this.emit(row.values);
        i++;
        if (i === this.rows.length) {
          if (!this.config.loop) {
            this.timer = null;
            return this.finish();
          }
          i = 0;
          lap++;
        }
      }
      const next = (lap * period + (this.rows[i]!.t - first)) / this.config.speed;
      this.timer = setTimeout(tick, Math.max(1, startedAt + next - performance.now()));
    };
    this.timer = setTimeout(tick, 0);
  }

  protected async end(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
