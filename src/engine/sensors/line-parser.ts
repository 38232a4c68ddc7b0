/**
 * One sensor line into channel values: key=value pairs, CSV under a header,
 * or a JSON object; an optional NMEA-style "*HH" XOR checksum; every value
 * checked against its channel's range. Pure.
 */
import type { ChannelSpec } from '../../shared/sensor-config';
import type { JunkReason } from './sensor-source';

export type ParsedLine =
  | { readonly ok: true; readonly values: Record<string, number>; readonly outOfRange: readonly string[] }
  | { readonly ok: false; readonly reason: JunkReason; readonly detail: string }
  | { readonly ok: 'header' };

export interface LineParserOptions {
  readonly framing: 'kv' | 'csv' | 'json';
  readonly checksum: 'none' | 'xor';
  readonly channels: Readonly<Record<string, ChannelSpec>>;
  readonly csvColumns?: readonly string[] | undefined;
}

/** XOR of the bytes of `body`, as two upper-case hex digits. */
export function xorChecksum(body: string): string {
  let x = 0;
  for (let i = 0; i < body.length; i++) x ^= body.charCodeAt(i) & 0xff;
  return x.toString(16).toUpperCase().padStart(2, '0');
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export class LineParser {
  private columns: readonly string[] | null;

  constructor(private readonly options: LineParserOptions) {
    this.columns = options.csvColumns ?? null;
  }

  parse(raw: string): ParsedLine {
    let line = raw.trim();
    if (this.options.checksum === 'xor') {
      const star = line.lastIndexOf('*');
      if (star < 0) return { ok: false, reason: 'checksum', detail: `no checksum in "${line.slice(0, 40)}"` };
      const body = line.slice(line.startsWith('$') ? 1 : 0, star);
      const given = line.slice(star + 1).toUpperCase();
      if (xorChecksum(body) !== given) return { ok: false, reason: 'checksum', detail: `checksum ${given} does not match ${xorChecksum(body)}` };
      line = body;
    }
    const fields = this.fields(line);
    if ('reason' in fields) return fields;
    if ('header' in fields) return { ok: 'header' };
    return this.validate(fields.values);
  }

  private fields(line: string): { values: Record<string, string | number> } | { header: true } | { ok: false; reason: JunkReason; detail: string } {
    switch (this.options.framing) {
      case 'json': {
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          return { ok: false, reason: 'malformed', detail: `not JSON: "${line.slice(0, 40)}"` };
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          return { ok: false, reason: 'malformed', detail: 'JSON line is not an object' };
        return { values: parsed as Record<string, string | number> };
      }
      case 'kv': {
        const values: Record<string, string> = {};
        for (const token of line.split(/[\s,;]+/).filter(Boolean)) {
          const m = /^([^=:]+)[=:](.*)$/.exec(token);
          if (!m) return { ok: false, reason: 'malformed', detail: `"${token.slice(0, 40)}" is not key=value` };
          values[m[1]!.trim()] = m[2]!.trim();
        }
        return { values };
      }
      case 'csv': {
        const cells = line.split(',').map((c) => c.trim());
        // A line of names, none of them a number: the header (sent again when the device restarts).
        if (cells.every((c) => c.length > 0 && !NUMBER.test(c))) {
          if (this.options.csvColumns === undefined) this.columns = cells;
          return { header: true };
        }
        if (!this.columns) return { ok: false, reason: 'malformed', detail: 'CSV values before any header' };
        if (cells.length !== this.columns.length)
          return { ok: false, reason: 'malformed', detail: `CSV line has ${cells.length} fields, the header ${this.columns.length}` };
        return { values: Object.fromEntries(this.columns.map((c, i) => [c, cells[i]!])) };
      }
    }
  }

  private validate(fields: Record<string, string | number>): ParsedLine {
    const values: Record<string, number> = {};
    const outOfRange: string[] = [];
    let known = 0;
    for (const [name, spec] of Object.entries(this.options.channels)) {
      const rawValue = fields[name];
      if (rawValue === undefined) continue;
      known++;
      const text = typeof rawValue === 'number' ? String(rawValue) : rawValue;
      if (!NUMBER.test(text)) return { ok: false, reason: 'malformed', detail: `${name}="${text.slice(0, 20)}" is not a number` };
      const value = Number(text);
      if (value < spec.min || value > spec.max) outOfRange.push(name);
      else values[name] = value;
    }
    if (known === 0) return { ok: false, reason: 'no-channel', detail: `no configured channel in the line (${Object.keys(fields).slice(0, 5).join(', ')})` };
    return { ok: true, values, outOfRange };
  }
}
