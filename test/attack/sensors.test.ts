/**
 * A sensor that turns hostile (issue 11, item 8): after a while of good
 * readings, the serial line carries only junk. Any byte used to count as a
 * sign of life, and machine health stayed "ok" for 20 s, evaluated again and
 * again on the last good samples. Now the sensor goes down, health becomes
 * unknown with an alarm, and the line keeps classifying.
 */
import { openSync, closeSync, writeSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { MACHINE_CHANNELS } from '../../src/engine/sensors/simulation/machine-signal';
import type { StationStatus } from '../../src/shared/status';
import { startEngine } from '../helpers/engine';
import { startPtyPair, startSimulator } from '../helpers/socat';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

const decided = (s: StationStatus): number => s.decisions.clean + s.decisions.maybe + s.decisions.pit;

describe('attacks from the sensors', () => {
  const tempDir = useTempDirs();
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('takes a serial line that sends only junk for a dead sensor: health unknown with an alarm, never ok on stale data', async () => {
    const ptys = await startPtyPair(tempDir());
    cleanup.push(() => ptys.close());
    const sim = startSimulator(['--port', ptys.a]);
    cleanup.push(() => sim.stop());
    const engine = await startEngine(tempDir(), {
      source: { kind: 'replay', fps: 10 },
      sensors: {
        sources: [{ kind: 'serial', id: 'line', path: ptys.b, framing: 'kv', channels: MACHINE_CHANNELS, livenessMs: 500 }],
        windowSamples: 256,
        sampleRateHz: 200,
        health: { evaluateMs: 100 },
      },
    });
    cleanup.push(() => engine.stop());
    await waitFor('health known and ok', () => engine.getStatus().machine?.state === 'ok', 15_000);
    await sim.stop();

    // Junk only, at the rate the good lines came: bytes, but never a valid reading.
    const port = openSync(ptys.a, 'w');
    cleanup.push(() => closeSync(port));
    const junk = ['vibration_g=abc temperature_c=', '\u0000\u0001\u0002garbage', 'temperature_c=9999 vibration_g=999', '=== noise ==='];
    let n = 0;
    const writer = setInterval(() => {
      for (let i = 0; i < 10; i++) writeSync(port, `${junk[n++ % junk.length]}\n`);
    }, 50);
    cleanup.push(() => clearInterval(writer));

    const before = engine.getStatus();
    const states: string[] = [];
    const watcher = setInterval(() => states.push(engine.getStatus().machine!.state), 100);
    cleanup.push(() => clearInterval(watcher));
    const unknown = await waitFor('health unknown on junk', () => {
      const s = engine.getStatus();
      return s.machine?.state === 'unknown' && s;
    });
    await new Promise((r) => setTimeout(r, 3000));
    clearInterval(watcher);
    const after = engine.getStatus();

    // Within a second or so of the last good line health stopped being ok, and stayed so while only junk came.
    const afterUnknown = states.slice(states.indexOf('unknown'));
    expect(afterUnknown.every((s) => s === 'unknown')).toBe(true);
    expect(states.indexOf('unknown')).toBeLessThan(30);
    // Its only sensor is down: no sensor delivers.
    expect(unknown.machine!.reason).toBe('no sensor is delivering readings');
    const sensor = after.machine!.sensors[0]!;
    expect(sensor.state).toBe('down');
    expect(sensor.lastError).toMatch(/^no valid reading on .*ttyB for 500 ms: only junk \(\d+ bytes\)$/);
    expect(sensor.junk['malformed']! + sensor.junk['out-of-range']!).toBeGreaterThan(20);
    expect(after.alarms.some((a) => a.kind === 'sensor' && a.severity === 'alarm')).toBe(true);
    expect(decided(after)).toBeGreaterThan(decided(before) + 10);
  });

  it('makes health unknown when one of two sensors goes stale, naming the channel, while the other still delivers', async () => {
    const [linePair, hallPair] = [await startPtyPair(tempDir()), await startPtyPair(tempDir())];
    cleanup.push(
      () => linePair.close(),
      () => hallPair.close(),
    );
    const lineSim = startSimulator(['--port', linePair.a]);
    const hallSim = startSimulator(['--port', hallPair.a]);
    cleanup.push(
      () => lineSim.stop(),
      () => hallSim.stop(),
    );
    const { vibration_g, temperature_c, humidity_pct } = MACHINE_CHANNELS;
    const engine = await startEngine(tempDir(), {
      source: { kind: 'replay', fps: 10 },
      sensors: {
        sources: [
          { kind: 'serial', id: 'line', path: linePair.b, framing: 'kv', channels: { vibration_g, temperature_c }, livenessMs: 500 },
          { kind: 'serial', id: 'hall', path: hallPair.b, framing: 'kv', channels: { humidity_pct }, livenessMs: 500 },
        ],
        windowSamples: 256,
        sampleRateHz: 200,
        health: { evaluateMs: 100 },
      },
    });
    cleanup.push(() => engine.stop());
    await waitFor('health known and ok', () => engine.getStatus().machine?.state === 'ok', 15_000);
    await hallSim.stop();
    // The hall sensor stops: the line sensor goes on, and health may not be computed on the hall's last humidity.
    const stale = await waitFor('health unknown on a stale channel', () => {
      const s = engine.getStatus();
      return s.machine?.state === 'unknown' && s;
    });
    expect(stale.machine!.reason).toMatch(/^no valid reading of humidity_pct for \d+\.\d s \(its last value is stale\)$/);
    expect(stale.machine!.sensors.find((x) => x.id === 'line')!.state).toBe('running');
    expect(stale.alarms.find((a) => a.id === 'sensor-data')).toMatchObject({ kind: 'sensor', severity: 'alarm' });
    expect(stale.alarms.find((a) => a.id === 'sensor-data')!.message).toMatch(/^machine health unknown: no valid reading of humidity_pct/);
    // It comes back: the alarm clears and health is known again.
    const again = startSimulator(['--port', hallPair.a]);
    cleanup.push(() => again.stop());
    await waitFor('health known again', () => engine.getStatus().machine?.state === 'ok', 15_000);
    expect(engine.getStatus().alarms.some((a) => a.id === 'sensor-data')).toBe(false);
  });
});
