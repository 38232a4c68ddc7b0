/**
 * The benchmark panel's engine on a running station (real models, real
 * workers, real SQLite): a run refused while the line runs unless paused for
 * it (and the line rejects everything meanwhile), results and the
 * recommendation in the file, progress with an estimate, a cancelled run,
 * exports, a measured setting applied to the line and kept; the queue wait
 * as a stage of its own (and runs stored before it still load); providers
 * the running model could not load, offered with the reason.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { BenchPlanSchema, type BenchProgress } from '../../src/shared/bench';
import type { StationEngine } from '../../src/engine/station-engine';
import { useRunningEngines } from '../helpers/engine';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

const until = (engine: StationEngine, runId: number, states: BenchProgress['state'][]): Promise<BenchProgress> =>
  new Promise((resolve) => {
    const off = engine.on('benchProgress', (p) => {
      if (p.runId === runId && states.includes(p.state)) {
        off();
        resolve(p);
      }
    });
  });

describe('benchmarks on a running station', () => {
  const tempDir = useTempDirs();
  const { start } = useRunningEngines();

  it('asks before it takes the CPU from a running line, pauses the line for it, and keeps the run and its results', async () => {
    const dataDir = tempDir();
    const engine = await start(dataDir, { source: { kind: 'replay', fps: 20 }, sensors: { sources: [] }, line: { rateFps: 20 } });
    await waitFor('the line running', () => engine.getStatus().frames.classified > 5);
    const plan = BenchPlanSchema.parse({
      models: ['active'],
      scenarios: ['single_stream', 'offline', 'line_rate'],
      budget: 'quick',
      batches: [4],
      modes: ['latency'],
    });
    await expect(engine.benchmarks.start(plan, 'ana (desktop)', 'refuse')).rejects.toThrow(/the line is running: a benchmark would steal its CPU/);

    const progress: BenchProgress[] = [];
    engine.on('benchProgress', (p) => progress.push(p));
    const pausedRejects: string[] = [];
    engine.on('inspection', (i) => i.failSafeReason?.startsWith('line paused') && pausedRejects.push(i.failSafeReason));
    const runId = await engine.benchmarks.start(plan, 'ana (desktop)', 'pause');
    expect(engine.getStatus().line).toMatchObject({ paused: true, pausedBecause: 'a benchmark has the CPU' });
    expect(engine.getStatus().failSafe.engaged).toBe(true);
    const classifiedBefore = engine.getStatus().frames.classified;
    const done = await until(engine, runId, ['done', 'failed', 'cancelled']);
    expect(done.state).toBe('done');
    // Paused, the line classified only the frames already in its pipeline (its queue and a batch) and rejected what came; then it runs again.
    expect(engine.getStatus().frames.classified).toBeLessThanOrEqual(classifiedBefore + 6);
    expect(pausedRejects.length).toBeGreaterThan(10);
    expect(pausedRejects[0]).toBe('line paused: a benchmark has the CPU');
    expect(engine.getStatus().line.paused).toBe(false);
    await waitFor('the line classifying again', () => engine.getStatus().frames.classified > classifiedBefore + 3);

    expect(progress[0]).toMatchObject({ runId, state: 'running', done: 0, total: 3 });
    expect(progress.some((p) => p.state === 'running' && p.done > 0 && p.etaS !== null)).toBe(true);
    expect(progress.map((p) => p.done)).toEqual([...progress.map((p) => p.done)].sort((a, b) => a - b));

    const run = engine.benchmarks.get(runId);
    expect(run).toMatchObject({ state: 'done', actor: 'ana (desktop)', cases: 3, results: 3, lineRunning: false, lineRateFps: 20, deadlineMs: 1000 });
    expect(run.items.map((r) => `${r.scenario}:${r.status}`)).toEqual(['single_stream:done', 'offline:done', 'line_rate:done']);
    for (const r of run.items) {
      const f = r.figures!;
      expect(r.modelLabel).toBe(`demo-cherry ${engine.getStatus().model.version}`);
      expect(f.frames).toBeGreaterThanOrEqual(16);
      expect(f.latencyMs.p99).toBeGreaterThanOrEqual(f.latencyMs.p50);
      expect(f.raw.perFrameMs).toBeGreaterThan(0);
      expect(f.ratioVsRaw).toBeGreaterThan(0);
      expect(f.stagesMs.decode).toBeGreaterThan(0);
      expect(f.stagesMs.inference).toBeGreaterThan(0);
      // Waiting before decoding is its own stage, no longer inside "other".
      expect(f.stagesMs.queue).toBeGreaterThanOrEqual(0);
      expect(f.percentilesMs).toHaveLength(101);
    }
    expect(run.items[2]!.figures!.lineRate).toMatchObject({ rateFps: 20, deadlineMs: 1000, missed: 0 });
    // The quick budget at 20 frames/s: 30 frames at the line's rate, too few for a p99, and the recommendation says so.
    expect(run.items[2]!.figures!.frames).toBe(30);
    expect(run.recommendation).toMatchObject({ found: true, resultId: run.items[2]!.id });
    expect(run.recommendation!.why).toMatch(/frames\/s single stream, the only setting that meets the line;/);
    expect(run.recommendation!.why).toMatch(/\(p99 from 30 frames is in effect the slowest frame; a p99 needs ≥ 1,000 frames\)/);
    expect(run.machine).toHaveProperty('cpu');

    const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
    expect(db.prepare('SELECT state, actor FROM bench_runs WHERE id = ?').get(runId)).toEqual({ state: 'done', actor: 'ana (desktop)' });
    expect((db.prepare('SELECT COUNT(*) AS n FROM bench_results WHERE run_id = ?').get(runId) as { n: number }).n).toBe(3);
    db.close();
    // A result stored before the queue stage existed (no "queue" in its figures) still loads, with queue 0.
    const writable = new Database(join(dataDir, 'linesight.sqlite'));
    const first = run.items[0]!;
    const { queue: _queue, ...stagesBefore } = first.figures!.stagesMs;
    writable.prepare('UPDATE bench_results SET figures_json = ? WHERE id = ?').run(JSON.stringify({ ...first.figures, stagesMs: stagesBefore }), first.id);
    writable.close();
    expect(engine.benchmarks.get(runId).items[0]!.figures!.stagesMs).toEqual({ ...stagesBefore, queue: 0 });

    const csv = engine.benchmarks.export(runId, 'csv');
    const rows = parse(Buffer.from(csv.bytes), { columns: true }) as Record<string, string>[];
    expect(csv.filename).toBe(`linesight-demo-station-benchmark-${runId}.csv`);
    expect(rows.map((r) => r['scenario'])).toEqual(['single_stream', 'offline', 'line_rate']);
    expect(rows[2]!['recommended']).toBe('yes');
    expect(Object.keys(rows[0]!)).toEqual(expect.arrayContaining(['queue_ms', 'ratio_vs_raw_decode_included']));
    const json = JSON.parse(new TextDecoder().decode(engine.benchmarks.export(runId, 'json').bytes)) as { id: number; items: unknown[] };
    expect(json.id).toBe(runId);
    expect(json.items).toHaveLength(3);
  });

  it('cancels a run at its next frame (frames still in its pipeline answered first) and keeps what it measured', async () => {
    const engine = await start(tempDir(), { source: { kind: 'replay', fps: 5, loop: false, limit: 1 }, sensors: { sources: [] } });
    // Offline first: its deep queue holds frames when the cancellation comes.
    const plan = BenchPlanSchema.parse({ models: ['active'], scenarios: ['offline', 'line_rate'], budget: 'standard', modes: ['latency'] });
    await waitFor('the one frame decided', () => engine.getStatus().source.state === 'finished');
    const runId = await engine.benchmarks.start(plan, 'ana (desktop)', 'refuse');
    await expect(engine.benchmarks.start(plan, 'bo (desktop)', 'refuse')).rejects.toThrow(`benchmark run ${runId} is still running`);
    await waitFor('the first case measuring', () => (engine.benchmarks.current?.elapsedS ?? 0) >= 1);
    await engine.benchmarks.cancel(runId);
    const run = engine.benchmarks.get(runId);
    expect(run).toMatchObject({ state: 'cancelled', error: null });
    expect(run.items.map((r) => `${r.scenario}:${r.status}`)).toEqual(['offline:cancelled']);
    expect(engine.benchmarks.current).toBeNull();
    expect(engine.benchmarks.list(10)[0]).toMatchObject({ id: runId, state: 'cancelled' });
  });

  it('applies the provider, threads, mode and batch a result was measured with, audited and kept across a restart', async () => {
    const dataDir = tempDir();
    let engine = await start(dataDir, { source: { kind: 'replay', fps: 10 }, sensors: { sources: [] }, inference: { mode: 'latency', maxBatch: 8 } });
    const plan = BenchPlanSchema.parse({ models: ['active'], scenarios: ['offline'], budget: 'quick', batches: [4] });
    const runId = await engine.benchmarks.start(plan, 'ana (desktop)', 'beside');
    expect((await until(engine, runId, ['done', 'failed'])).state).toBe('done');
    const run = engine.benchmarks.get(runId);
    expect(run.lineRunning).toBe(true);
    const applied = await engine.benchmarks.apply(runId, run.items[0]!.id, 'ana (desktop)', 'more frames per second');
    expect(applied).toEqual({ providers: ['cpu'], intraOpThreads: 1, mode: 'throughput', maxBatch: 4 });
    expect(engine.getStatus().model).toMatchObject({ mode: 'throughput', batchSize: 4, threads: 1, settingsSetBy: { actor: 'ana (desktop)' } });
    const audit = engine.auditTrail(1)[0]!;
    expect(audit).toMatchObject({ subject: 'config', actor: 'ana (desktop)', new: { inference: applied } });
    expect(audit.reason).toMatch(/more frames per second \(benchmark run \d+, result \d+\)/);
    await engine.stop();
    engine = await start(dataDir, { source: { kind: 'replay', fps: 10 }, sensors: { sources: [] }, inference: { mode: 'latency', maxBatch: 8 } });
    expect(engine.getStatus().model).toMatchObject({ mode: 'throughput', batchSize: 4 });
    await expect(engine.benchmarks.apply(runId, 999_999, 'ana (desktop)', 'x')).rejects.toThrow(`benchmark run ${runId} has no result 999999`);
  });

  it('offers the providers the running model could not load marked with the reason, and leaves them out of the default plan', async () => {
    // TensorRT and CUDA first, as on a Linux station: on a PC without their libraries or GPU, the model runs on the CPU.
    const engine = await start(tempDir(), {
      source: { kind: 'replay', fps: 5, loop: false, limit: 1 },
      sensors: { sources: [] },
      inference: { providers: ['tensorrt', 'cuda', 'cpu'] },
    });
    const options = await engine.benchmarks.options();
    const { model } = engine.getStatus();
    const passedOver = model.fallbacks.filter((f) => (options.providers as readonly string[]).includes(f.provider));
    expect(options.providerProblems).toEqual(passedOver.map((f) => ({ provider: f.provider, reason: f.reason })));
    if (model.provider === 'cpu') {
      // Whatever of TensorRT and CUDA this build has, the station saw them fail here: each marked, with why.
      for (const p of ['tensorrt', 'cuda'] as const) {
        if (options.providers.includes(p)) expect(options.providerProblems.find((x) => x.provider === p)?.reason).toMatch(/\S/);
      }
    }
    for (const { provider } of options.providerProblems) expect(options.defaultPlan.providers).not.toContain(provider);
  });
});
