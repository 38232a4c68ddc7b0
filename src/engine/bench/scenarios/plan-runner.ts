/**
 * Runs a benchmark plan on this machine: each case (a scenario on one model
 * with one provider, thread count, mode and batch) through the line's own
 * path (bench-line.ts), beside the bare onnxruntime-node floor for the same
 * model, provider, threads and batch, so every figure is also a ratio to it.
 * A model is loaded once per setting and shared by the cases that use it.
 * Progress is told at each case and every second, with an estimate of the
 * time left; a cancellation ends the case in hand and the plan.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUDGETS, expandPlan, firstLoadKey, type BenchCase, type BenchFigures, type BenchModelRef, type BenchPlan } from '../../../shared/bench';
import { StorageConfigSchema, UploadConfigSchema } from '../../../shared/storage-config';
import { ModelLoadError } from '../../inference/inference-client';
import type { SessionSettings } from '../../inference/session-settings';
import type { WorkerEntry } from '../../rpc/worker-entry';
import { LoopDelayMonitor } from '../../metrics/loop-delay';
import type { ImageModelPackage } from '../../model-package';
import { openDatabase } from '../../storage/database';
import { LogClient } from '../../log/log-client';
import { RawRunner } from '../raw-runner';
import { percentile, spreadOf } from '../stats';
import { BenchLine, type FrameTiming } from './bench-line';
import { BenchCancelled, lineRate, offline, singleStream, type ScenarioBudget, type ScenarioRun } from './scenarios';

export interface PlanContext {
  readonly resolveModel: (ref: BenchModelRef) => Promise<ImageModelPackage>;
  /** Encoded frames, as the camera gives them. */
  readonly frames: readonly Uint8Array[];
  readonly inferenceEntry: WorkerEntry;
  readonly logEntry: WorkerEntry;
  /** Session options other than provider and threads (the station's own). */
  readonly baseSettings: SessionSettings;
  readonly lineRateFps: number;
  readonly deadlineMs: number;
  /** The station's decision.staleMs (line/verdict.ts admit). */
  readonly staleMs: number;
  /**
   * Cases the station's load probe refused, by firstLoadKey (shared/bench.ts: model, provider, threads), with the probe's reason:
   * such a case fails with it and its model is never loaded here (station-benchmarks.ts, issue 11, final review).
   */
  readonly refused?: ReadonlyMap<string, string>;
}

export interface CaseOutcome {
  readonly case: BenchCase;
  readonly modelLabel: string;
  /** The provider that ran it (as asked, or why it could not). */
  readonly provider: string;
  readonly status: 'done' | 'failed' | 'cancelled' | 'unavailable';
  readonly error: string | null;
  readonly figures: BenchFigures | null;
}

export interface PlanProgress {
  readonly done: number;
  readonly total: number;
  readonly current: string;
  readonly etaS: number | null;
  readonly elapsedS: number;
}

export interface PlanHooks {
  readonly progress: (p: PlanProgress) => void;
  readonly outcome: (o: CaseOutcome) => void;
  readonly cancelled: () => boolean;
}

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** What a case should take, from its budget, for the first estimates (seconds). */
function estimateS(c: BenchCase, budget: ScenarioBudget): number {
  const load = 1.5;
  return load + (c.scenario === 'line_rate' ? budget.lineRateMs : budget.minMs) / 1000 + budget.minMs / 2000;
}

function describe(c: BenchCase, label: string): string {
  const batch = c.mode === 'throughput' ? `, batch ${c.batch}` : '';
  return `${label}: ${c.scenario.replace('_', ' ')} on ${c.provider}, ${c.threads} thread${c.threads === 1 ? '' : 's'}, ${c.mode}${batch}`;
}

export function figuresOf(
  run: ScenarioRun,
  raw: { runMs: readonly number[]; batch: number },
  c: BenchCase,
  extra: { lineRate?: BenchFigures['lineRate']; loopDelayP99Ms: number },
): BenchFigures {
  const latencies = run.timings.map((t) => t.latencyMs).sort((a, b) => a - b);
  const n = Math.max(1, run.timings.length);
  const mean = (f: (t: FrameTiming) => number): number => run.timings.reduce((s, t) => s + f(t), 0) / n;
  const stages = {
    queue: mean((t) => t.queueMs),
    decode: mean((t) => t.decodeMs),
    preprocess: mean((t) => t.preprocessMs),
    inference: mean((t) => t.inferenceMs),
    decision: mean((t) => t.decisionMs),
    log: mean((t) => t.logMs),
  };
  const latencyMean = mean((t) => t.latencyMs);
  const sortedRaw = [...raw.runMs].sort((a, b) => a - b);
  const runP50 = percentile(sortedRaw, 50);
  const rawPerFrame = runP50 / raw.batch;
  const rawFps = (raw.runMs.length * raw.batch * 1000) / raw.runMs.reduce((a, b) => a + b, 0);
  const fps = (run.timings.length * 1000) / Math.max(run.spanMs, 1e-3);
  const p = (q: number): number => round(percentile(latencies, q));
  const ratio = c.scenario === 'offline' ? 1000 / fps / rawPerFrame : percentile(latencies, 50) / runP50;
  return {
    frames: run.timings.length,
    durationS: round(run.spanMs / 1000, 2),
    latencyMs: { p50: p(50), p90: p(90), p95: p(95), p99: p(99), max: round(latencies.at(-1) ?? 0), mean: round(latencyMean) },
    percentilesMs: Array.from({ length: 101 }, (_, i) => p(i)),
    fps: round(fps, 1),
    stagesMs: {
      queue: round(stages.queue),
      decode: round(stages.decode),
      preprocess: round(stages.preprocess),
      inference: round(stages.inference),
      decision: round(stages.decision, 4),
      log: round(stages.log, 4),
      // What no stage accounts for: the hops between threads, a late timer at line rate, a batch waiting to fill.
      other: round(Math.max(0, latencyMean - stages.queue - stages.decode - stages.preprocess - stages.inference - stages.decision - stages.log)),
    },
    raw: { perFrameMs: round(rawPerFrame), runP50Ms: round(runP50), fps: round(rawFps, 1) },
    ratioVsRaw: round(ratio),
    inferenceRatioVsRaw: round(stages.inference / rawPerFrame),
    spread: round(spreadOf(latencies).spread),
    failed: run.timings.filter((t) => t.failed).length,
    ...(extra.lineRate ? { lineRate: extra.lineRate } : {}),
    loopDelayP99Ms: extra.loopDelayP99Ms,
  };
}

export async function runPlan(plan: BenchPlan, ctx: PlanContext, hooks: PlanHooks): Promise<{ state: 'done' | 'cancelled'; outcomes: CaseOutcome[] }> {
  const cases = expandPlan(plan);
  const budget: ScenarioBudget = BUDGETS[plan.budget];
  const rate = plan.lineRateFps ?? ctx.lineRateFps;
  const started = performance.now();
  const outcomes: CaseOutcome[] = [];
  const packages = new Map<BenchModelRef, ImageModelPackage | Error>();
  const floors = new Map<string, number[]>();
  // Widened on purpose: it changes inside the awaited loop, where narrowing would lose track.
  let line = null as { key: string; line: BenchLine } | null;
  let estimatedDone = 0;
  let current = 'starting';
  const estimates = cases.map((c) => estimateS(c, budget));
  const tell = (): void => {
    const elapsedS = (performance.now() - started) / 1000;
    const remaining = estimates.slice(outcomes.length).reduce((a, b) => a + b, 0);
    // Scaled by how the cases so far compared with their estimates.
    const scale = estimatedDone > 0 ? elapsedS / estimatedDone : 1;
    hooks.progress({ done: outcomes.length, total: cases.length, current, etaS: Math.round(remaining * scale), elapsedS: Math.round(elapsedS) });
  };
  const ticker = setInterval(tell, 1000);
  const logDir = mkdtempSync(join(tmpdir(), 'linesight-bench-log-'));
  const databasePath = join(logDir, 'bench.sqlite');
  // The log worker writes into a database already migrated, as the station's is.
  openDatabase(databasePath).close();
  const log = await LogClient.start({
    entry: ctx.logEntry,
    databasePath,
    dataDir: logDir,
    stationId: 'benchmark',
    // The line's log settings, but no image is kept: the frames are the benchmark's.
    storage: StorageConfigSchema.parse({ images: { rejects: false, maybes: false, cleanSampleEvery: 0 } }),
    upload: UploadConfigSchema.parse({}),
  });
  const record = (o: CaseOutcome, i: number): void => {
    outcomes.push(o);
    estimatedDone += estimates[i]!;
    hooks.outcome(o);
  };
  let state: 'done' | 'cancelled' = 'done';
  try {
    for (const [i, c] of cases.entries()) {
      if (hooks.cancelled()) {
        state = 'cancelled';
        break;
      }
      let pkg = packages.get(c.model);
      if (!pkg) {
        pkg = await ctx.resolveModel(c.model).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
        packages.set(c.model, pkg);
      }
      if (pkg instanceof Error) {
        record({ case: c, modelLabel: c.model, provider: c.provider, status: 'failed', error: pkg.message, figures: null }, i);
        continue;
      }
      const label = `${pkg.manifest.name} ${pkg.manifest.version}`;
      const refusal = ctx.refused?.get(firstLoadKey(c));
      if (refusal !== undefined) {
        record({ case: c, modelLabel: label, provider: c.provider, status: 'failed', error: refusal, figures: null }, i);
        continue;
      }
      current = describe(c, label);
      tell();
      const settings: SessionSettings = { ...ctx.baseSettings, providers: [c.provider], intraOpThreads: c.threads };
      const lineKey = `${c.model}|${c.provider}|${c.threads}|${c.mode}|${c.batch}`;
      const loop = new LoopDelayMonitor();
      try {
        if (line?.key !== lineKey) {
          await line?.line.close();
          line = null;
          line = {
            key: lineKey,
            line: await BenchLine.open(pkg, {
              settings,
              entry: ctx.inferenceEntry,
              mode: c.mode,
              batch: c.batch,
              log,
              rules: { staleMs: ctx.staleMs, deadlineMs: ctx.deadlineMs },
            }),
          };
        }
        const batch = line.line.batchSize;
        const floorKey = `${c.model}|${c.provider}|${c.threads}|${batch}`;
        let runMs = floors.get(floorKey);
        if (!runMs) {
          const raw = await RawRunner.create(pkg, settings, batch, ctx.frames, c.provider);
          try {
            runMs = await raw.measure({ minRuns: Math.max(3, Math.ceil(budget.minFrames / batch)), minMs: budget.minMs / 2 });
          } finally {
            await raw.close();
          }
          floors.set(floorKey, runMs);
        }
        loop.start();
        const run =
          c.scenario === 'single_stream'
            ? await singleStream(line.line, ctx.frames, budget, hooks.cancelled)
            : c.scenario === 'offline'
              ? await offline(line.line, ctx.frames, budget, hooks.cancelled)
              : await lineRate(line.line, ctx.frames, budget, rate, hooks.cancelled);
        loop.stop();
        const missed = run.timings.filter((t) => t.failed || t.latencyMs > ctx.deadlineMs).length;
        const figures = figuresOf(run, { runMs, batch }, c, {
          loopDelayP99Ms: loop.percentileMs(99),
          ...(c.scenario === 'line_rate'
            ? {
                lineRate: {
                  rateFps: rate,
                  deadlineMs: ctx.deadlineMs,
                  missed,
                  missedPct: round((missed / Math.max(1, run.timings.length)) * 100, 2),
                  dropped: run.dropped,
                },
              }
            : {}),
        });
        record({ case: c, modelLabel: label, provider: line.line.provider, status: 'done', error: null, figures }, i);
      } catch (err) {
        loop.stop();
        if (err instanceof BenchCancelled) {
          record({ case: c, modelLabel: label, provider: c.provider, status: 'cancelled', error: err.message, figures: null }, i);
          state = 'cancelled';
          // The cancelled case's frames may still be in its pipeline: this model is not reused.
          await line?.line.close();
          line = null;
          break;
        }
        const unavailable = err instanceof ModelLoadError && /execution provider/.test(err.message);
        record(
          { case: c, modelLabel: label, provider: c.provider, status: unavailable ? 'unavailable' : 'failed', error: (err as Error).message, figures: null },
          i,
        );
        await line?.line.close();
        line = null;
      }
    }
  } finally {
    clearInterval(ticker);
    await line?.line.close();
    await log.close();
    rmSync(logDir, { recursive: true, force: true });
  }
  current = state === 'done' ? 'finished' : 'cancelled';
  tell();
  return { state, outcomes };
}
