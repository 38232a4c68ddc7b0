/**
 * npm run sensor-sim -- --port PATH [options]
 *
 * A sensor that writes realistic lines to a serial port (a real one, or one
 * end of a socat pty pair): the simulated machine's vibration, temperature
 * and humidity, or AI4I rows; with faults to inject. If the port goes away
 * (the "cable" is pulled) it keeps trying to open it again.
 *
 *   --rate HZ                 readings per second (default 200)
 *   --format kv|csv|json      framing (default kv)
 *   --checksum none|xor       NMEA-style *HH suffix (default none)
 *   --bearing-wear S[:R]      bearing wear from S s, reaching full severity R s later (default R 10)
 *   --temperature-drift S:D   bearing heats by D °C a minute from S s
 *   --junk-every N            every Nth line is junk
 *   --silence S:D             nothing at all from S s for D s
 *   --ai4i FILE               send AI4I 2020 rows instead (channel names of the AI4I model)
 *   --duration S              stop after S s (default: until stopped)
 *   --seed TEXT               the signal's seed
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SerialPort } from 'serialport';
import { parseAi4i } from '../engine/sensors/datasets/ai4i';
import type { MachineFaults } from '../engine/sensors/simulation/machine-signal';
import { ai4iStream, machineStream, SimulatedLines, type LineFaults } from '../engine/sensors/simulation/simulated-lines';

const USAGE =
  'Usage: npm run sensor-sim -- --port PATH [--rate HZ] [--format kv|csv|json] [--checksum none|xor] [--bearing-wear S[:R]] [--temperature-drift S:D] [--junk-every N] [--silence S:D] [--ai4i FILE] [--duration S] [--seed TEXT]';
const TICK_MS = 20;
const REOPEN_MS = 200;

function fail(message: string): never {
  process.stderr.write(`sensor-sim: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function pair(text: string | undefined, option: string, defaultSecond?: number): [number, number] | undefined {
  if (text === undefined) return undefined;
  const [a, b] = text.split(':').map(Number);
  const second = b ?? defaultSecond;
  if (!Number.isFinite(a) || second === undefined || !Number.isFinite(second)) fail(`${option} takes START:VALUE in seconds, not "${text}"`);
  return [a!, second];
}

function parse() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string' },
        rate: { type: 'string' },
        format: { type: 'string' },
        checksum: { type: 'string' },
        'bearing-wear': { type: 'string' },
        'temperature-drift': { type: 'string' },
        'junk-every': { type: 'string' },
        silence: { type: 'string' },
        ai4i: { type: 'string' },
        duration: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (err) {
    fail((err as Error).message);
  }
}

const args = parse();
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (!args.port) fail('--port is required');
const format = (args.format ?? 'kv') as 'kv' | 'csv' | 'json';
if (!['kv', 'csv', 'json'].includes(format)) fail(`--format must be kv, csv or json, not "${args.format}"`);
const checksum = (args.checksum ?? 'none') as 'none' | 'xor';
if (!['none', 'xor'].includes(checksum)) fail(`--checksum must be none or xor`);
const rate = Number(args.rate ?? 200);
if (!(rate > 0 && rate <= 10_000)) fail(`--rate must be between 0 and 10000`);
const wear = pair(args['bearing-wear'], '--bearing-wear', 10);
const drift = pair(args['temperature-drift'], '--temperature-drift');
const silence = pair(args.silence, '--silence');
const faults: MachineFaults = {
  ...(wear ? { bearingWear: { startS: wear[0], rampS: wear[1] } } : {}),
  ...(drift ? { temperatureDrift: { startS: drift[0], degPerMin: drift[1] } } : {}),
};
const lineFaults: LineFaults = {
  ...(args['junk-every'] ? { junkEvery: Number(args['junk-every']) } : {}),
  ...(silence ? { silence: { startS: silence[0], durationS: silence[1] } } : {}),
};
const stream = args.ai4i ? ai4iStream(parseAi4i(readFileSync(args.ai4i, 'utf8')), rate) : machineStream(args.seed ?? 'sensor-sim', rate, faults);
const lines = new SimulatedLines(stream, { format, checksum, faults: lineFaults }, args.seed ?? 'sensor-sim');
const duration = args.duration !== undefined ? Number(args.duration) : Number.POSITIVE_INFINITY;

let port: SerialPort | null = null;
const open = (): void => {
  const p = new SerialPort({ path: args.port!, baudRate: 115_200, autoOpen: false });
  p.open((err) => {
    if (err) {
      setTimeout(open, REOPEN_MS);
      return;
    }
    port = p;
    process.stderr.write(`sensor-sim: writing to ${args.port}\n`);
  });
  const lost = (): void => {
    if (port !== p) return;
    port = null;
    process.stderr.write(`sensor-sim: ${args.port} is gone, trying again\n`);
    setTimeout(open, REOPEN_MS);
  };
  p.on('close', lost);
  p.on('error', lost);
};
open();

const startedAt = performance.now();
const timer = setInterval(() => {
  const t = (performance.now() - startedAt) / 1000;
  if (t > duration) {
    clearInterval(timer);
    port?.drain(() => process.exit(0));
    if (!port) process.exit(0);
    return;
  }
  // Time runs on whether or not the cable is in: lines due while unplugged are lost, as on a real line.
  const due = lines.until(t);
  if (port && due.length > 0) port.write(due.join(''));
}, TICK_MS);
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
