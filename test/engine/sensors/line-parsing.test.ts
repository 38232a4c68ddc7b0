import { describe, expect, it } from 'vitest';
import { LineParser, xorChecksum } from '../../../src/engine/sensors/line-parser';
import { LineSplitter } from '../../../src/engine/sensors/line-splitter';

const channels = { vibration_g: { min: -20, max: 20 }, temperature_c: { min: -40, max: 150 } };

describe('LineSplitter', () => {
  it('drops the first partial line and caps long lines, counting both', () => {
    const lines: string[] = [];
    const junk: string[] = [];
    const s = new LineSplitter(
      40,
      (l) => lines.push(l),
      (r) => junk.push(r),
    );
    s.push(Buffer.from('ure_c=38.2\r\nvibration_g=0.1\n'));
    s.push(Buffer.from('vibration_g=0.2 temp'));
    s.push(Buffer.from(`erature_c=38.3\n${'x'.repeat(100)}\nvibration_g=0.3\n`));
    expect(lines).toEqual(['vibration_g=0.1', 'vibration_g=0.2 temperature_c=38.3', 'vibration_g=0.3']);
    expect(junk).toEqual(['partial', 'too-long']);
    s.reset();
    s.push(Buffer.from('half\nvibration_g=0.4\n'));
    expect(lines.at(-1)).toBe('vibration_g=0.4');
    expect(junk).toEqual(['partial', 'too-long', 'partial']);
  });
});

describe('LineParser', () => {
  it('reads key=value lines and checks ranges', () => {
    const p = new LineParser({ framing: 'kv', checksum: 'none', channels });
    expect(p.parse('vibration_g=0.25 temperature_c=38.2 rpm=1500')).toEqual({ ok: true, values: { vibration_g: 0.25, temperature_c: 38.2 }, outOfRange: [] });
    expect(p.parse('vibration_g=0.25,temperature_c=900')).toEqual({ ok: true, values: { vibration_g: 0.25 }, outOfRange: ['temperature_c'] });
    expect(p.parse('vibration_g=abc')).toMatchObject({ ok: false, reason: 'malformed' });
    expect(p.parse('garbage without equals')).toMatchObject({ ok: false, reason: 'malformed' });
    expect(p.parse('rpm=1500')).toMatchObject({ ok: false, reason: 'no-channel' });
  });

  it('reads CSV under its header, and a header sent again after a device restart', () => {
    const p = new LineParser({ framing: 'csv', checksum: 'none', channels });
    expect(p.parse('0.1,38')).toMatchObject({ ok: false, reason: 'malformed', detail: 'CSV values before any header' });
    expect(p.parse('temperature_c,vibration_g')).toEqual({ ok: 'header' });
    expect(p.parse('38.5, -0.4')).toMatchObject({ ok: true, values: { temperature_c: 38.5, vibration_g: -0.4 } });
    expect(p.parse('38.5')).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('reads JSON lines', () => {
    const p = new LineParser({ framing: 'json', checksum: 'none', channels });
    expect(p.parse('{"vibration_g": 0.3, "temperature_c": 40}')).toMatchObject({ ok: true, values: { vibration_g: 0.3, temperature_c: 40 } });
    expect(p.parse('{"vibration_g": ')).toMatchObject({ ok: false, reason: 'malformed' });
    expect(p.parse('[1,2]')).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('checks an NMEA-style XOR checksum', () => {
    const p = new LineParser({ framing: 'kv', checksum: 'xor', channels });
    const body = 'vibration_g=0.25 temperature_c=38.2';
    expect(p.parse(`${body}*${xorChecksum(body)}`)).toMatchObject({ ok: true, values: { vibration_g: 0.25 } });
    expect(p.parse(`$${body}*${xorChecksum(body).toLowerCase()}`)).toMatchObject({ ok: true });
    expect(p.parse(`${body}*00`)).toMatchObject({ ok: false, reason: 'checksum' });
    expect(p.parse(body)).toMatchObject({ ok: false, reason: 'checksum' });
  });
});
