/**
 * Serial sensors with real parts: socat pty pairs, the simulator command on
 * the other end, the station's engine reading them. A bearing-wear fault
 * drives machine health to alarm; a pulled cable is noticed, survived and
 * recovered from; junk is counted; a Modbus RTU transmitter is polled.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ServerSerial } from 'modbus-serial';
import { MACHINE_CHANNELS } from '../../../src/engine/sensors/simulation/machine-signal';
import type { StationEngine } from '../../../src/engine/station-engine';
import { ModbusSensorSource } from '../../../src/engine/sensors/modbus-sensor';
import { ModbusSensorSchema, SerialSensorSchema } from '../../../src/shared/sensor-config';
import { SensorWriteRefused, SerialSensorSource } from '../../../src/engine/sensors/serial-sensor';
import type { SensorReading } from '../../../src/engine/sensors/sensor-source';
import { AI4I_CHANNELS } from '../../../src/engine/sensors/datasets/ai4i';
import { startEngine } from '../../helpers/engine';
import { ROOT } from '../../helpers/paths';
import { startPtyPair, startSimulator, type PtyPair } from '../../helpers/socat';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from '../../helpers/wait';

describe('serial sensors on a socat pair', () => {
  const tempDir = useTempDirs();
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  const pair = async (): Promise<PtyPair> => {
    const p = await startPtyPair(tempDir());
    cleanup.push(() => p.close());
    return p;
  };
  const engineOn = async (path: string, extra: Record<string, unknown> = {}): Promise<StationEngine> => {
    const engine = await startEngine(tempDir(), {
      source: { kind: 'replay', fps: 5 },
      sensors: {
        sources: [{ kind: 'serial', id: 'line', path, framing: 'kv', channels: MACHINE_CHANNELS, livenessMs: 500, ...extra }],
        windowSamples: 256,
        sampleRateHz: 200,
        health: { evaluateMs: 100, holdMs: 1000 },
      },
    });
    cleanup.push(() => engine.stop());
    return engine;
  };

  it('drives machine health to alarm when the simulated bearing wears, counting the junk lines', async () => {
    const ptys = await pair();
    const sim = startSimulator(['--port', ptys.a, '--bearing-wear', '6:4', '--junk-every', '40', '--duration', '30']);
    cleanup.push(() => sim.stop());
    const engine = await engineOn(ptys.b);
    await waitFor('health known and ok before the wear', () => engine.getStatus().machine?.state === 'ok', 15_000);
    await waitFor('health alarm from the worn bearing', () => engine.getStatus().machine?.state === 'alarm', 25_000);
    const machine = engine.getStatus().machine!;
    expect(machine.risk).toBeGreaterThanOrEqual(0.7);
    expect(engine.getStatus().alarms.find((a) => a.id === 'health')).toMatchObject({ kind: 'health', severity: 'alarm' });
    const sensor = machine.sensors[0]!;
    expect(sensor.state).toBe('running');
    expect(sensor.readings).toBeGreaterThan(500);
    expect(sensor.junk['malformed']! + sensor.junk['no-channel']!).toBeGreaterThan(5);
    expect(sensor.junk['partial']).toBeGreaterThanOrEqual(1);
    expect(engine.recentEvents(20).some((e) => e.kind === 'health' && /→ high risk/.test(e.message))).toBe(true);
  });

  it('marks a pulled cable down within a second of the liveness timeout, and is back within 2 s of plugging it in', async () => {
    const ptys = await pair();
    const sim = startSimulator(['--port', ptys.a, '--junk-every', '25']);
    cleanup.push(() => sim.stop());
    const engine = await engineOn(ptys.b);
    const sensor = (): NonNullable<ReturnType<StationEngine['getStatus']>['machine']>['sensors'][number] => engine.getStatus().machine!.sensors[0]!;
    await waitFor('readings', () => sensor().readings > 100, 15_000);
    const framesBefore = engine.getStatus().frames.seen;

    await ptys.unplug();
    // livenessMs is 500: down within 500 ms + 1 s.
    await waitFor('the sensor down', () => sensor().state === 'down', 1500, 20);
    expect(sensor().lastError).toMatch(/no valid reading on .*ttyB for 500 ms|port .*ttyB (closed|:)/);
    await waitFor('the sensor alarm', () => engine.getStatus().alarms.some((a) => a.id === 'sensor:line'), 1000, 20);
    await new Promise((r) => setTimeout(r, 5000)); // the cable stays out for 5 s
    expect(sensor().state).toBe('down');
    const readingsWhileOut = sensor().readings;

    await ptys.plug();
    await waitFor('the sensor back', () => sensor().state === 'running' && sensor().readings > readingsWhileOut, 2000, 20);
    expect(sensor().reconnects).toBe(1);
    await waitFor('the sensor alarm cleared', () => !engine.getStatus().alarms.some((a) => a.id === 'sensor:line'), 1000, 20);
    // Nothing crashed: the line kept going all along, and junk was counted, not fatal.
    expect(engine.getStatus().frames.seen).toBeGreaterThan(framesBefore);
    expect(sensor().junk['malformed']! + sensor().junk['no-channel']!).toBeGreaterThan(0);
    const events = engine.recentEvents(50).map((e) => e.message);
    expect(events.some((m) => /sensor line down/.test(m))).toBe(true);
    expect(events.some((m) => /^sensor line delivering readings again; the alarm had stood \d+ s: sensor line down/.test(m))).toBe(true);
  });

  it('reads CSV with checksums, and refuses writes while the port is down', async () => {
    const ptys = await pair();
    const sim = startSimulator(['--port', ptys.a, '--format', 'csv', '--checksum', 'xor', '--junk-every', '30']);
    cleanup.push(() => sim.stop());
    const source = new SerialSensorSource(
      SerialSensorSchema.parse({ kind: 'serial', id: 'csv-line', path: ptys.b, framing: 'csv', checksum: 'xor', channels: MACHINE_CHANNELS, livenessMs: 400 }),
    );
    const readings: SensorReading[] = [];
    source.start((r) => readings.push(r));
    cleanup.push(() => source.stop());
    await waitFor('readings', () => readings.length > 100, 15_000);
    expect(Object.keys(readings.at(-1)!.values).sort()).toEqual(['humidity_pct', 'temperature_c', 'vibration_g']);
    expect(source.stats().junk['checksum'] + source.stats().junk['malformed']).toBeGreaterThan(0);
    await source.write('RESET\r\n');
    await ptys.unplug();
    await waitFor('down', () => source.state === 'down', 1500, 20);
    await expect(source.write('RESET\r\n')).rejects.toThrow(SensorWriteRefused);
    await expect(source.write('RESET\r\n')).rejects.toThrow(/sensor csv-line is down: write refused/);
  });

  it('streams real AI4I rows over the serial pair into the AI4I failure model', async () => {
    const ptys = await pair();
    const sim = startSimulator(['--port', ptys.a, '--ai4i', join(ROOT, '..', 'shared', 'data', 'sensors', 'ai4i2020.csv'), '--rate', '100']);
    cleanup.push(() => sim.stop());
    const engine = await startEngine(tempDir(), {
      source: { kind: 'replay', fps: 5 },
      sensors: {
        sources: [{ kind: 'serial', id: 'ai4i', path: ptys.b, framing: 'kv', channels: AI4I_CHANNELS, livenessMs: 1000 }],
        model: { dir: join(ROOT, 'models', 'ai4i-failure') },
        windowSamples: 8,
        health: { evaluateMs: 50, holdMs: 500 },
      },
    });
    cleanup.push(() => engine.stop());
    await waitFor('p_fail from the AI4I model', () => engine.getStatus().machine?.pFail !== null && engine.getStatus().machine?.state !== 'unknown', 15_000);
    const machine = engine.getStatus().machine!;
    expect(machine.model.name).toBe('ai4i-failure');
    expect(machine.channels).toMatchObject({ air_temp_k: expect.any(Number), torque_nm: expect.any(Number), quality: expect.any(Number) });
    await waitFor('more rows', () => engine.getStatus().machine!.sensors[0]!.readings > 20, 10_000);
  });

  it('polls a Modbus RTU transmitter: scaled, signed, range-checked, and down when it stops answering', async () => {
    const ptys = await pair();
    // The transmitter: a Modbus RTU server on the device end, holding temperature ×10 and humidity ×10.
    const registers = [235, 0xffff - 49, 553]; // 23.5 °C, −5.0 (signed), 55.3 %
    const server = new ServerSerial({ getHoldingRegister: (addr: number) => registers[addr] ?? 0 }, { path: ptys.a, baudRate: 9600, unitID: 3 });
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    // modbus-serial's ServerSerial writes its answers without listening for its port's errors: once the cable is
    // pulled below, an answer in flight fails with EIO and would end the test process. The station's side listens.
    (server as unknown as { _serverPath: NodeJS.EventEmitter })._serverPath.on('error', () => undefined);
    const source = new ModbusSensorSource(
      ModbusSensorSchema.parse({
        kind: 'modbus',
        id: 'hall',
        path: ptys.b,
        unitId: 3,
        pollMs: 100,
        timeoutMs: 300,
        livenessMs: 800,
        registers: [
          { channel: 'temperature_c', address: 0, scale: 0.1, min: -40, max: 120 },
          { channel: 'outdoor_c', address: 1, scale: 0.1, signed: true, min: -40, max: 60 },
          { channel: 'humidity_pct', address: 2, scale: 0.1, min: 0, max: 50 },
        ],
      }),
    );
    const readings: SensorReading[] = [];
    source.start((r) => readings.push(r));
    cleanup.push(() => source.stop());
    await waitFor('readings', () => readings.length >= 3, 10_000);
    expect(readings.at(-1)!.values).toEqual({ temperature_c: 23.5, outdoor_c: expect.closeTo(-5, 6) as number });
    expect(source.stats().junk['out-of-range']).toBeGreaterThan(0); // 55.3 % is over this channel's 50 % limit
    await ptys.unplug();
    await waitFor('down', () => source.state === 'down', 3000, 20);
  });
});
