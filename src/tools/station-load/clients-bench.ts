/**
 * station.clients: what serving browsers costs the line. The station (the
 * real engine on the demo model and frames, and the real server) runs in
 * this process at full speed: the highest replay rate this machine
 * classifies without dropping frames is found first, and the line runs at
 * HEADROOM of it, as a line is run (docs/BACKGROUND.md: the line's rate with
 * headroom). N live-page clients run in a process of their own at the
 * lowest CPU priority, as browsers on other PCs take nothing from the
 * station, and ask what the live page asks. Frames classified per second
 * are measured alone and with the clients in alternating windows (ABBA, so
 * drift weighs on both), and the drop is reported as a percentage of the
 * rate alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppLayout } from '../../engine/app-layout';
import type { BenchResult, Progress } from '../bench/bench';
import { round } from '../../engine/bench/stats';
import type { WorkerEntries } from '../../engine/rpc/worker-entry';
import { LoopDelayMonitor } from '../../engine/metrics/loop-delay';
import { median, serveBenchStation, sleep, startBenchStation, Swarm } from './bench-harness';
import { MAX_SOURCE_FPS } from '../../shared/source-config';
import type { LivePageCounts } from '../../station/live-page-client';

export interface ClientsBenchOptions {
  readonly app: AppLayout;
  readonly workers: WorkerEntries;
  readonly clients: number;
  /** Alone-and-with pairs. */
  readonly rounds: number;
  readonly windowMs: number;
  /** Trials in the search for the highest rate (each a fresh station). */
  readonly searchSteps?: number;
  readonly progress: Progress;
}

const SETTLE_MS = 1000;
const WARMUP_MS = 5000;
/** The share of its highest rate a line is run at. */
export const HEADROOM = 0.9;
const TRIAL_WARMUP_MS = 2000;
const MAX_SEARCH_STEPS = 6;
/** A line that drops more than this share of its frames does not keep up. */
const MAX_DROPPED_SHARE = 0.005;
interface Trial {
  readonly classifiedPerS: number;
  readonly droppedShare: number;
}

/** Runs the line at a replay rate for a moment: how many frames it classified, and what share it had to drop. */
async function trial(opts: ClientsBenchOptions, fps: number, measureMs: number): Promise<Trial> {
  const dataDir = mkdtempSync(join(tmpdir(), 'linesight-clients-bench-'));
  const engine = await startBenchStation(opts, fps, dataDir);
  try {
    await sleep(TRIAL_WARMUP_MS);
    const a = engine.getStatus().frames;
    const t0 = performance.now();
    await sleep(measureMs);
    const b = engine.getStatus().frames;
    const seen = b.seen - a.seen;
    return { classifiedPerS: ((b.classified - a.classified) * 1000) / (performance.now() - t0), droppedShare: seen === 0 ? 1 : (b.dropped - a.dropped) / seen };
  } finally {
    await engine.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Full speed: the highest replay rate this machine classifies without dropping
 * frames. Overloaded, the line classifies fewer frames than it could (every
 * dropped frame is still decided, logged and kept), so the search starts
 * there and steps up until frames are dropped.
 */
async function fullSpeed(opts: ClientsBenchOptions): Promise<number> {
  const overloaded = await trial(opts, MAX_SOURCE_FPS, opts.windowMs);
  let rate = Math.min(MAX_SOURCE_FPS, Math.max(1, Math.round(overloaded.classifiedPerS)));
  let best: number | null = null;
  for (let step = 0; step < (opts.searchSteps ?? MAX_SEARCH_STEPS); step++) {
    const t = await trial(opts, rate, opts.windowMs);
    const keepsUp = t.droppedShare <= MAX_DROPPED_SHARE;
    opts.progress(`station.clients: ${rate} frames/s offered, ${round(t.classifiedPerS, 1)} classified, ${round(t.droppedShare * 100, 2)}% dropped`);
    if (keepsUp) {
      best = rate;
      // The replay goes no faster than the config allows: a line that keeps up there is at least that fast.
      if (rate >= MAX_SOURCE_FPS) break;
      rate = Math.min(MAX_SOURCE_FPS, Math.round(rate * 1.15));
    } else if (best !== null) break;
    else rate = Math.max(1, Math.round(rate * 0.85));
  }
  return best ?? rate;
}

export async function benchStationClients(opts: ClientsBenchOptions): Promise<BenchResult> {
  opts.progress('station.clients: finding the fastest rate this machine classifies the demo at without dropping frames');
  const highest = await fullSpeed(opts);
  const lineRate = Math.max(1, Math.round(highest * HEADROOM));
  const dataDir = mkdtempSync(join(tmpdir(), 'linesight-clients-bench-'));
  const engine = await startBenchStation(opts, lineRate, dataDir);
  const { server, wsUrl } = await serveBenchStation(engine, opts.app);
  const model = engine.getStatus().model.name;
  const swarm = Swarm.start();
  const dropped = { alone: 0, withClients: 0, seenAlone: 0, seenWith: 0 };
  const measure = async (phase: 'alone' | 'clients'): Promise<number> => {
    const a = engine.getStatus().frames;
    const t0 = performance.now();
    await sleep(opts.windowMs);
    const b = engine.getStatus().frames;
    if (phase === 'alone') {
      dropped.alone += b.dropped - a.dropped;
      dropped.seenAlone += b.seen - a.seen;
    } else {
      dropped.withClients += b.dropped - a.dropped;
      dropped.seenWith += b.seen - a.seen;
    }
    return ((b.classified - a.classified) * 1000) / (performance.now() - t0);
  };

  const alone: number[] = [];
  const withClients: number[] = [];
  const clientCores: number[] = [];
  const loop = new LoopDelayMonitor();
  const served: LivePageCounts = { requests: 0, images: 0, events: 0, bytesIn: 0 };
  let servedMs = 0;
  try {
    opts.progress(`station.clients: the demo at full speed, ${lineRate} frames/s (${HEADROOM * 100}% of ${highest}), warming up ${WARMUP_MS / 1000} s`);
    await sleep(WARMUP_MS);
    for (let r = 0; r < opts.rounds; r++) {
      const order = r % 2 === 0 ? (['alone', 'clients'] as const) : (['clients', 'alone'] as const);
      for (const phase of order) {
        if (phase === 'alone') {
          alone.push(await measure('alone'));
          continue;
        }
        await swarm.send(`connect ${opts.clients} ${wsUrl}`);
        await sleep(SETTLE_MS);
        loop.start();
        const t0 = performance.now();
        withClients.push(await measure('clients'));
        servedMs += performance.now() - t0 + SETTLE_MS;
        loop.stop();
        const counts = await swarm.send<LivePageCounts & { cores: number }>('disconnect');
        for (const k of Object.keys(served) as (keyof LivePageCounts)[]) served[k] += counts[k];
        clientCores.push(counts.cores);
        // The disconnects settle before the next window alone.
        await sleep(SETTLE_MS / 2);
      }
      opts.progress(
        `station.clients: round ${r + 1}/${opts.rounds}: ${round(alone.at(-1)!, 1)} frames/s alone, ${round(withClients.at(-1)!, 1)} with ${opts.clients} clients`,
      );
    }
  } finally {
    swarm.stop();
    await server.close();
    await engine.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const fpsAlone = median(alone);
  const fpsWith = median(withClients);
  const perS = (n: number): number => round((n * 1000) / servedMs, 1);
  return {
    name: 'station.clients',
    model,
    clients: opts.clients,
    highest_rate_fps: highest,
    line_rate_fps: lineRate,
    fps: round(fpsWith, 1),
    fps_alone: round(fpsAlone, 1),
    fps_with_clients: round(fpsWith, 1),
    fps_drop_pct: round(((fpsAlone - fpsWith) / fpsAlone) * 100, 2),
    fps_alone_rounds: alone.map((v) => round(v, 1)),
    fps_with_clients_rounds: withClients.map((v) => round(v, 1)),
    requests_per_s: perS(served.requests),
    images_per_s: perS(served.images),
    events_per_s: perS(served.events),
    kib_per_s: perS(served.bytesIn / 1024),
    dropped_pct_alone: round((dropped.alone / Math.max(1, dropped.seenAlone)) * 100, 2),
    dropped_pct_with_clients: round((dropped.withClients / Math.max(1, dropped.seenWith)) * 100, 2),
    client_process_cores: round(median(clientCores), 3),
    skipped_events: server.skippedEvents(),
    loop_delay_p99_ms: loop.percentileMs(99),
    window_s: opts.windowMs / 1000,
  };
}
