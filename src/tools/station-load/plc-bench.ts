/**
 * plc.cycle (issue 17): how long the PLC waits for its answer, against how
 * long the line takes to decide one item, for the same model, frames and
 * machine in the same run. The real station, in trigger mode with its Modbus
 * TCP server, and a PLC simulator on loopback (modbus-serial's client, as a
 * PLC's would talk): one trigger at a time — TRIGGER_ID written ahead, then
 * TRIGGER raised — then polling RESULT_READY, then RESULT_ACK. The cycle is
 * the trigger written to the result seen, on the PLC's side. The line's own
 * single-item latency is measured on the same station free-running at a rate
 * where items never overlap (its status p50, frame in to decision). The
 * camera runs at 1,000 frames/s in trigger mode, standing in for a
 * hardware-triggered one. Measured on the demo model (tiny: the fixed costs
 * of the bus weigh most) and the casting model (a real inspection model).
 * modbus-serial's ServerTCP parsed each request behind a timer of 0 (at least
 * 1 ms a request); patches/modbus-serial+8.0.25.patch makes it setImmediate,
 * applied by patch-package at `npm ci`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ModbusRTU from 'modbus-serial';
import type { AppLayout } from '../../engine/app-layout';
import { percentile, round } from '../../engine/bench/stats';
import { COIL, DISCRETE, HOLDING } from '../../engine/plc/plc-map';
import type { WorkerEntries } from '../../engine/rpc/worker-entry';
import type { StationEngine } from '../../engine/station-engine';
import type { BenchResult, Progress } from '../bench/bench';
import { freePort, median, sleep, startBenchStation } from './bench-harness';

export const PLC_CYCLE_GOAL = 1.15;
const CAMERA_FPS = 1000;
const WARMUP_CYCLES = 30;
/** Free-running for the line's own latency: slow enough that no two items overlap. */
const FREE_RUN_FPS = 10;

export interface PlcBenchOptions {
  readonly app: AppLayout;
  readonly workers: WorkerEntries;
  readonly cycles: number;
  readonly progress: Progress;
  /** Models to measure: a name for the table and the package's folder. */
  readonly models: readonly { readonly name: string; readonly dir: string }[];
}

/** The line's own latency for one item at a time: the station free-running, its status p50 (frame in to decision). */
async function lineP50(opts: PlcBenchOptions, dir: string, items: number): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'linesight-plc-line-'));
  let engine: StationEngine | null = null;
  try {
    engine = await startBenchStation({ ...opts, modelDir: dir }, FREE_RUN_FPS, dataDir, [], { sensors: { sources: [] } });
    const e = engine;
    const start = e.getStatus().frames.classified;
    while (e.getStatus().frames.classified < start + items) await sleep(100);
    return e.getStatus().latencyMs.total.p50;
  } finally {
    await engine?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function cyclesOf(opts: PlcBenchOptions, dir: string): Promise<{ cycles: number[]; errors: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'linesight-plc-bench-'));
  const port = await freePort();
  let engine: StationEngine | null = null;
  const client = new ModbusRTU();
  try {
    engine = await startBenchStation({ ...opts, modelDir: dir }, CAMERA_FPS, dataDir, [], { sensors: { sources: [] }, plc: { kind: 'modbus-tcp', port } });
    await client.connectTCP('127.0.0.1', { port });
    client.setID(1);
    client.setTimeout(2000);
    const cycles: number[] = [];
    let errors = 0;
    for (let i = 1; i <= WARMUP_CYCLES + opts.cycles; i++) {
      await client.writeRegister(HOLDING.TRIGGER_ID, i);
      // From the trigger: the id is written before it, as a PLC sets it up ahead.
      const t0 = performance.now();
      await client.writeCoil(COIL.TRIGGER, true);
      for (;;) {
        const di = (await client.readDiscreteInputs(0, 8)).data;
        if (di[DISCRETE.RESULT_READY]) {
          if (di[DISCRETE.ERROR]) errors++;
          break;
        }
      }
      const ms = performance.now() - t0;
      if (i > WARMUP_CYCLES) cycles.push(ms);
      await client.writeCoil(COIL.TRIGGER, false);
      await client.writeCoil(COIL.RESULT_ACK, true);
      await client.writeCoil(COIL.RESULT_ACK, false);
      // A line's pace, not back to back: the next item comes a little later.
      await sleep(2);
    }
    return { cycles, errors };
  } finally {
    await new Promise<void>((r) => client.close(() => r()));
    await engine?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** One row per model: the PLC's cycle p50 / p95 / p99 and its ratio to the line's own p50. */
export async function benchPlcCycle(opts: PlcBenchOptions): Promise<BenchResult[]> {
  const rows: BenchResult[] = [];
  for (const model of opts.models) {
    opts.progress(`plc.cycle (${model.name}): the line alone, then ${opts.cycles} triggers one at a time over Modbus TCP on loopback`);
    const line = await lineP50(opts, model.dir, Math.max(50, Math.round(opts.cycles / 4)));
    const { cycles, errors } = await cyclesOf(opts, model.dir);
    const sorted = [...cycles].sort((a, b) => a - b);
    const p50 = median(cycles);
    const ratio = p50 / line;
    rows.push({
      name: 'plc.cycle',
      model: model.name,
      p50_ms: round(p50, 2),
      p95_ms: round(percentile(sorted, 95), 2),
      p99_ms: round(percentile(sorted, 99), 2),
      frames: cycles.length,
      samples: cycles.length,
      line_p50_ms: round(line, 2),
      ratio_vs_single_stream: round(ratio, 3),
      ratio_goal: PLC_CYCLE_GOAL,
      goal_met: ratio <= PLC_CYCLE_GOAL,
      camera_fps: CAMERA_FPS,
      failed: errors,
    });
  }
  return rows;
}
