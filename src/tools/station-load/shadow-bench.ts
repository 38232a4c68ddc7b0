/**
 * shadow.overhead (issue 16): what a shadow trial costs the live line. The
 * real engine on the demo model and frames runs in this process; a copy of
 * the demo model is registered as the candidate and tried beside it
 * (engine/shadow/). Frames decided per second and the line's p99 latency are
 * measured without and with the trial in alternating windows (ABBA), at the
 * demo's own rate (the goal: fewer than 5 % fewer frames a second) and at
 * full speed (the replay as fast as the line takes it: what the trial costs
 * a line that has no slack, and the share of frames the candidate then saw).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReplaySourceSchema } from '../../shared/source-config';
import type { AppLayout } from '../../engine/app-layout';
import { round } from '../../engine/bench/stats';
import type { WorkerEntries } from '../../engine/rpc/worker-entry';
import type { StationEngine } from '../../engine/station-engine';
import type { BenchResult, Progress } from '../bench/bench';
import { median, sleep, startBenchStation } from './bench-harness';

export interface ShadowBenchOptions {
  readonly app: AppLayout;
  readonly workers: WorkerEntries;
  /** Without-and-with pairs. */
  readonly rounds: number;
  readonly windowMs: number;
  readonly progress: Progress;
}

const WARMUP_MS = 3000;
const SETTLE_MS = 1000;
const DEMO_RATE_FPS = ReplaySourceSchema.parse({ kind: 'replay' }).fps;
/** Faster than this machine's line can decide: the replay waits for nothing. */
const FULL_SPEED_FPS = 1000;
/** The goal (issue 16): the trial takes less than this from the line's frames per second. */
export const SHADOW_FPS_DROP_GOAL_PCT = 5;

interface Phase {
  readonly fpsAlone: number;
  readonly fpsTrial: number;
  readonly p99Alone: number;
  readonly p99Trial: number;
  /** Frames the candidate was offered ÷ frames the line saw, over the trial windows. */
  readonly share: number;
  readonly failSafe: number;
}

async function measurePhase(opts: ShadowBenchOptions, fps: number, label: string): Promise<Phase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'linesight-shadow-bench-'));
  const stick = mkdtempSync(join(tmpdir(), 'linesight-shadow-stick-'));
  let engine: StationEngine | null = null;
  try {
    // The candidate: the demo model as another version, on a "stick".
    const dir = join(stick, 'demo-candidate');
    cpSync(opts.app.defaultModelDir, dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, version: `${String(manifest['version'])}-candidate` }));
    engine = await startBenchStation(opts, fps, dataDir, [stick]);
    const e = engine;
    const candidate = (await e.importModel(dir, 'bench')).model.id;
    let failSafe = 0;
    const off = e.on('inspection', (i) => {
      if (i.failSafeReason !== undefined) failSafe++;
    });
    const fpsOf = { alone: [] as number[], trial: [] as number[] };
    const p99Of = { alone: [] as number[], trial: [] as number[] };
    let offered = 0;
    let seen = 0;
    const window = async (which: 'alone' | 'trial'): Promise<void> => {
      const a = e.getStatus().frames.classified;
      const t0 = performance.now();
      await sleep(opts.windowMs);
      const status = e.getStatus();
      fpsOf[which].push(((status.frames.classified - a) * 1000) / (performance.now() - t0));
      p99Of[which].push(status.latencyMs.total.p99);
    };
    opts.progress(`shadow.overhead: the demo at ${label}, warming up ${WARMUP_MS / 1000} s`);
    await sleep(WARMUP_MS);
    for (let r = 0; r < opts.rounds; r++) {
      const order = r % 2 === 0 ? (['alone', 'trial'] as const) : (['trial', 'alone'] as const);
      for (const which of order) {
        if (which === 'alone') {
          await window('alone');
          continue;
        }
        await e.shadow.start({ modelId: candidate, items: 10_000_000, minutes: 60, share: 1 }, 'bench');
        await sleep(SETTLE_MS);
        await window('trial');
        const ended = await e.shadow.stop('bench');
        offered += ended.figures.offered;
        seen += ended.figures.seen;
        await sleep(SETTLE_MS);
      }
      opts.progress(
        `shadow.overhead (${label}): round ${r + 1}/${opts.rounds}: ${round(fpsOf.alone.at(-1)!, 1)} frames/s alone, ${round(fpsOf.trial.at(-1)!, 1)} with a trial`,
      );
    }
    off();
    return {
      fpsAlone: median(fpsOf.alone),
      fpsTrial: median(fpsOf.trial),
      p99Alone: median(p99Of.alone),
      p99Trial: median(p99Of.trial),
      share: seen > 0 ? offered / seen : 0,
      failSafe,
    };
  } finally {
    await engine?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(stick, { recursive: true, force: true });
  }
}

const dropPct = (alone: number, trial: number): number => round(((alone - trial) / alone) * 100, 2);

export async function benchShadowOverhead(opts: ShadowBenchOptions): Promise<BenchResult> {
  const demo = await measurePhase(opts, DEMO_RATE_FPS, `${DEMO_RATE_FPS} frames/s`);
  const full = await measurePhase(opts, FULL_SPEED_FPS, 'full speed');
  const drop = dropPct(demo.fpsAlone, demo.fpsTrial);
  return {
    name: 'shadow.overhead',
    model: 'demo-cherry',
    line_rate_fps: DEMO_RATE_FPS,
    fps: round(demo.fpsTrial, 1),
    fps_alone: round(demo.fpsAlone, 1),
    fps_with_trial: round(demo.fpsTrial, 1),
    fps_drop_pct: drop,
    fps_drop_goal_pct: SHADOW_FPS_DROP_GOAL_PCT,
    goal_met: drop < SHADOW_FPS_DROP_GOAL_PCT,
    p99_ms: round(demo.p99Trial, 2),
    p99_ms_alone: round(demo.p99Alone, 2),
    share_ran: round(demo.share, 3),
    full_speed_fps_alone: round(full.fpsAlone, 1),
    full_speed_fps_with_trial: round(full.fpsTrial, 1),
    full_speed_fps_drop_pct: dropPct(full.fpsAlone, full.fpsTrial),
    full_speed_p99_ms_alone: round(full.p99Alone, 2),
    full_speed_p99_ms_with_trial: round(full.p99Trial, 2),
    full_speed_share_ran: round(full.share, 3),
    failsafe_items: demo.failSafe,
    window_s: opts.windowMs / 1000,
  };
}
