/**
 * station.flood: what clients that ask as fast as the station lets them cost
 * the line (issue 11: 1,100 getStatus a second on 4 sockets once cost 53 of
 * 123 items to the fail-safe, loop delay p99 333 ms). The station (the real
 * engine on the demo model and frames, at the demo's normal rate, and the
 * real server) runs in this process; 4 flooding clients (flood-client.ts:
 * 64 requests outstanding each: status, 500 recent inspections, the newest
 * picture, a 500-row history page, a CSV export) run in a process of their own at the lowest CPU priority, as an
 * attacker's PC would take nothing from the station's cores. Frames
 * classified per second, items rejected fail-safe and the event loop's delay
 * are measured alone and under the flood in alternating windows (ABBA).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReplaySourceSchema } from '../../shared/source-config';
import type { AppLayout } from '../../engine/app-layout';
import type { BenchResult, Progress } from '../bench/bench';
import { round } from '../../engine/bench/stats';
import type { WorkerEntries } from '../../engine/rpc/worker-entry';
import { LoopDelayMonitor } from '../../engine/metrics/loop-delay';
import { median, serveBenchStation, sleep, startBenchStation, Swarm } from './bench-harness';

export interface FloodBenchOptions {
  readonly app: AppLayout;
  readonly workers: WorkerEntries;
  readonly clients: number;
  /** Alone-and-flooded pairs. */
  readonly rounds: number;
  readonly windowMs: number;
  readonly progress: Progress;
}

const SETTLE_MS = 1000;
const WARMUP_MS = 3000;
/** The demo's own rate (the replay source's default). */
const DEMO_RATE_FPS = ReplaySourceSchema.parse({ kind: 'replay' }).fps;

interface FloodCounts {
  readonly answered: number;
  readonly refused: number;
}

export async function benchStationFlood(opts: FloodBenchOptions): Promise<BenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'linesight-flood-bench-'));
  const engine = await startBenchStation(opts, DEMO_RATE_FPS, dataDir);
  const { server, wsUrl } = await serveBenchStation(engine, opts.app);
  const model = engine.getStatus().model.name;
  let phase: 'alone' | 'flood' | null = null;
  const failSafe = { alone: 0, flood: 0 };
  const off = engine.on('inspection', (i) => {
    if (phase !== null && i.failSafeReason !== undefined) failSafe[phase]++;
  });
  const loops = { alone: new LoopDelayMonitor(), flood: new LoopDelayMonitor() };
  const fps = { alone: [] as number[], flood: [] as number[] };
  const answered = { requests: 0, refused: 0, ms: 0 };
  const swarm = Swarm.start();

  const measure = async (which: 'alone' | 'flood'): Promise<void> => {
    const a = engine.getStatus().frames.classified;
    const t0 = performance.now();
    phase = which;
    loops[which].start();
    await sleep(opts.windowMs);
    loops[which].stop();
    phase = null;
    fps[which].push(((engine.getStatus().frames.classified - a) * 1000) / (performance.now() - t0));
  };

  try {
    opts.progress(`station.flood: the demo at ${DEMO_RATE_FPS} frames/s, warming up ${WARMUP_MS / 1000} s`);
    await sleep(WARMUP_MS);
    for (let r = 0; r < opts.rounds; r++) {
      const order = r % 2 === 0 ? (['alone', 'flood'] as const) : (['flood', 'alone'] as const);
      for (const which of order) {
        if (which === 'alone') {
          await measure('alone');
          continue;
        }
        await swarm.send(`flood ${opts.clients} ${wsUrl}`);
        await sleep(SETTLE_MS);
        const t0 = performance.now();
        await measure('flood');
        const counts = await swarm.send<FloodCounts>('disconnect');
        answered.requests += counts.answered;
        answered.refused += counts.refused;
        answered.ms += performance.now() - t0 + SETTLE_MS;
        await sleep(SETTLE_MS / 2);
      }
      opts.progress(
        `station.flood: round ${r + 1}/${opts.rounds}: ${round(fps.alone.at(-1)!, 1)} frames/s alone, ${round(fps.flood.at(-1)!, 1)} flooded by ${opts.clients} clients`,
      );
    }
  } finally {
    off();
    swarm.stop();
    await server.close();
    await engine.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const connections = engine.getStatus().connections;
  const fpsAlone = median(fps.alone);
  const fpsFlood = median(fps.flood);
  return {
    name: 'station.flood',
    model,
    clients: opts.clients,
    line_rate_fps: DEMO_RATE_FPS,
    fps: round(fpsFlood, 1),
    fps_alone: round(fpsAlone, 1),
    fps_with_flood: round(fpsFlood, 1),
    fps_drop_pct: round(((fpsAlone - fpsFlood) / fpsAlone) * 100, 2),
    failsafe_items: failSafe.flood,
    failsafe_items_alone: failSafe.alone,
    loop_delay_p99_ms: loops.flood.percentileMs(99),
    loop_delay_p99_ms_alone: loops.alone.percentileMs(99),
    flood_answered_per_s: round((answered.requests * 1000) / Math.max(1, answered.ms), 1),
    flood_refused: answered.refused,
    throttled: connections.throttled,
    clients_closed: connections.closedFlooding + connections.closedNotReading,
    window_s: opts.windowMs / 1000,
  };
}
