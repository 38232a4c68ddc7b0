/**
 * plc.cycle (issue 17): how long the PLC waits for its answer. The real
 * station on the demo model in trigger mode with its Modbus TCP server, a PLC
 * simulator on loopback (modbus-serial's client, as a PLC's would talk): one
 * trigger at a time — write TRIGGER_ID, raise TRIGGER — then polling
 * RESULT_READY, then RESULT_ACK. The cycle is trigger written to result seen,
 * on the PLC's side; its p50 is compared with the line's single-stream p50 for
 * the same model in the same run (bench-cli.ts; goal ≤ 1.15). The camera runs
 * at 1,000 frames/s, standing in for a hardware-triggered one (a frame within
 * a millisecond of the trigger).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ModbusRTU from 'modbus-serial';
import type { AppLayout } from '../../engine/app-layout';
import { round } from '../../engine/bench/stats';
import { COIL, DISCRETE, HOLDING } from '../../engine/plc/plc-map';
import type { WorkerEntries } from '../../engine/rpc/worker-entry';
import type { StationEngine } from '../../engine/station-engine';
import type { BenchResult, Progress } from '../bench/bench';
import { median, sleep, startBenchStation } from './bench-harness';

export const PLC_CYCLE_GOAL = 1.15;
const CAMERA_FPS = 1000;
const WARMUP_CYCLES = 30;

export interface PlcBenchOptions {
  readonly app: AppLayout;
  readonly workers: WorkerEntries;
  readonly cycles: number;
  readonly progress: Progress;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** The PLC's cycles; `lineP50Ms`, the line's single-stream p50 for the demo model in this run, gives the ratio. */
export async function benchPlcCycle(opts: PlcBenchOptions, lineP50Ms: number | null): Promise<BenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'linesight-plc-bench-'));
  const port = await freePort();
  let engine: StationEngine | null = null;
  const client = new ModbusRTU();
  try {
    engine = await startBenchStation(opts, CAMERA_FPS, dataDir, [], { sensors: { sources: [] }, plc: { kind: 'modbus-tcp', port } });
    await client.connectTCP('127.0.0.1', { port });
    client.setID(1);
    client.setTimeout(2000);
    const cycles: number[] = [];
    let errors = 0;
    opts.progress(`plc.cycle: ${opts.cycles} triggers, one at a time, over Modbus TCP on loopback`);
    for (let i = 1; i <= WARMUP_CYCLES + opts.cycles; i++) {
      const t0 = performance.now();
      await client.writeRegister(HOLDING.TRIGGER_ID, i);
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
    const sorted = [...cycles].sort((a, b) => a - b);
    const p50 = median(cycles);
    const ratio = lineP50Ms ? p50 / lineP50Ms : null;
    return {
      name: 'plc.cycle',
      model: 'demo-cherry',
      p50_ms: round(p50, 2),
      p95_ms: round(percentile(sorted, 95), 2),
      p99_ms: round(percentile(sorted, 99), 2),
      frames: cycles.length,
      samples: cycles.length,
      line_single_stream_p50_ms: lineP50Ms,
      ratio_vs_single_stream: ratio === null ? null : round(ratio, 3),
      ratio_goal: PLC_CYCLE_GOAL,
      goal_met: ratio === null ? null : ratio <= PLC_CYCLE_GOAL,
      camera_fps: CAMERA_FPS,
      failed: errors,
    };
  } finally {
    await new Promise<void>((r) => client.close(() => r()));
    await engine?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
