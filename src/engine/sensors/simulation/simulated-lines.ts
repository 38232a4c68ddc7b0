/**
 * The lines a simulated sensor sends: the machine signal (or AI4I rows),
 * framed as key=value, CSV or JSON, with an optional checksum, and with the
 * faults a real line has: junk lines and silences. Pure apart from the
 * seeded signal; the simulator command writes them to a serial port.
 */
import seedrandom from 'seedrandom';
import { xorChecksum } from '../line-parser';
import type { Ai4iRow } from '../datasets/ai4i';
import { MachineSignal, type MachineFaults } from './machine-signal';

export interface LineFaults {
  /** Every Nth line is junk (garbage bytes, a cut line, a value that is not a number). */
  readonly junkEvery?: number;
  /** No line at all from startS for durationS: the sensor went quiet. */
  readonly silence?: { readonly startS: number; readonly durationS: number };
}

export interface SimulatedLinesOptions {
  readonly format: 'kv' | 'csv' | 'json';
  readonly checksum: 'none' | 'xor';
  readonly faults: LineFaults;
}

/** A source of readings, one per call, with its time. */
export interface ReadingStream {
  readonly rateHz: number;
  next(): { readonly tS: number; readonly values: Readonly<Record<string, number>> };
}

export function machineStream(seed: string, rateHz: number, faults: MachineFaults): ReadingStream {
  const signal = new MachineSignal(seed, rateHz, faults);
  return {
    rateHz,
    next: () => {
      const s = signal.next();
      return { tS: s.tS, values: { vibration_g: round(s.vibration_g, 4), temperature_c: round(s.temperature_c, 3), humidity_pct: round(s.humidity_pct, 2) } };
    },
  };
}

export function ai4iStream(rows: readonly Ai4iRow[], rowsPerSecond: number): ReadingStream {
  let i = 0;
  return {
    rateHz: rowsPerSecond,
    next: () => {
      const row = rows[i % rows.length]!;
      const tS = i / rowsPerSecond;
      i++;
      return { tS, values: row.values };
    },
  };
}

const CSV_HEADER_EVERY = 100;

const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;

export class SimulatedLines {
  private readonly rng: () => number;
  private count = 0;

  constructor(
    private readonly stream: ReadingStream,
    private readonly options: SimulatedLinesOptions,
    seed = 'simulated-lines',
  ) {
    this.rng = seedrandom(seed);
  }

  /** The lines due up to time tS (seconds since the start), each ending in CRLF. */
  until(tS: number, out: string[] = []): string[] {
    const { silence } = this.options.faults;
    while (this.count / this.stream.rateHz <= tS) {
      const reading = this.stream.next();
      this.count++;
      if (silence && reading.tS >= silence.startS && reading.tS < silence.startS + silence.durationS) continue;
      const junkEvery = this.options.faults.junkEvery;
      if (junkEvery && this.count % junkEvery === 0) {
        out.push(this.junk());
        continue;
      }
      // A CSV logger announces its columns now and then: a station that opens the port late still learns them.
      if (this.options.format === 'csv' && (this.count - 1) % CSV_HEADER_EVERY === 0) out.push(this.frame(Object.keys(reading.values).join(',')));
      out.push(this.frame(this.body(reading.values)));
    }
    return out;
  }

  private body(values: Readonly<Record<string, number>>): string {
    switch (this.options.format) {
      case 'kv':
        return Object.entries(values)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
      case 'csv':
        return Object.values(values).join(',');
      case 'json':
        return JSON.stringify(values);
    }
  }

  private frame(body: string): string {
    return `${this.options.checksum === 'xor' ? `${body}*${xorChecksum(body)}` : body}\r\n`;
  }

  private junk(): string {
    const kind = Math.floor(this.rng() * 3);
    if (kind === 0) return `${String.fromCharCode(...Array.from({ length: 12 }, () => 33 + Math.floor(this.rng() * 90)))}\r\n`;
    if (kind === 1) return this.frame(this.options.format === 'json' ? '{"vibration_g": "NaN' : this.options.format === 'csv' ? '1.0,x,?' : 'vibration_g=oops');
    return this.options.checksum === 'xor' ? 'vibration_g=0.1*FF\r\n' : '\u0000\u0007\u0013\r\n';
  }
}
