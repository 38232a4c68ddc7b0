/** The benchmark's plan expansion, recommendation and comparison: pure, so tested on made-up figures. */
import { describe, expect, it } from 'vitest';
import { BenchPlanSchema, compareRuns, expandPlan, recommend, settingLabel, type BenchFigures, type BenchResult } from '../../src/shared/bench';

const figures = (over: { p99: number; fps: number; missed?: number }): BenchFigures => ({
  frames: 100,
  durationS: 5,
  latencyMs: { p50: over.p99 / 2, p90: over.p99 * 0.8, p95: over.p99 * 0.9, p99: over.p99, max: over.p99 * 1.2, mean: over.p99 / 2 },
  percentilesMs: Array.from({ length: 101 }, (_, i) => (i / 100) * over.p99),
  fps: over.fps,
  stagesMs: { decode: 1, preprocess: 0.1, inference: 2, decision: 0.01, log: 0.02, other: 0.5 },
  raw: { perFrameMs: 2, runP50Ms: 2, fps: 500 },
  ratioVsRaw: 1.1,
  inferenceRatioVsRaw: 1,
  spread: 0.1,
  failed: 0,
  ...(over.missed !== undefined ? { lineRate: { rateFps: 20, deadlineMs: 100, missed: over.missed, missedPct: over.missed, dropped: 0 } } : {}),
  loopDelayP99Ms: 1,
});

let nextId = 1;
const result = (scenario: BenchResult['scenario'], settings: Partial<BenchResult>, f: BenchFigures | null): BenchResult => ({
  id: nextId++,
  runId: 1,
  model: 'active',
  modelLabel: 'demo-cherry 1.0.1',
  provider: 'cpu',
  threads: 1,
  scenario,
  mode: 'latency',
  batch: 1,
  status: f ? 'done' : 'failed',
  error: f ? null : 'x',
  figures: f,
  ...settings,
});

describe('expandPlan', () => {
  it('makes one case per model, provider, threads and scenario, offline per batch, line rate per mode (and batch in throughput)', () => {
    const plan = BenchPlanSchema.parse({
      models: ['active', 'shaped:mobilenet-shaped'],
      scenarios: ['single_stream', 'offline', 'line_rate'],
      threads: [1, 2],
      batches: [4, 8],
      modes: ['latency', 'throughput'],
    });
    const cases = expandPlan(plan);
    // Per model and thread count: 1 single stream + 2 offline + (1 latency + 2 throughput) line rate.
    expect(cases).toHaveLength(2 * 2 * 6);
    expect(cases.slice(0, 6).map((c) => `${c.scenario}/${c.mode}/${c.batch}`)).toEqual([
      'single_stream/latency/1',
      'offline/throughput/4',
      'offline/throughput/8',
      'line_rate/latency/1',
      'line_rate/throughput/4',
      'line_rate/throughput/8',
    ]);
    expect(new Set(cases.map((c) => c.model))).toEqual(new Set(['active', 'shaped:mobilenet-shaped']));
  });

  it('refuses a plan with nothing to run or a model it does not know', () => {
    expect(BenchPlanSchema.safeParse({ models: [], scenarios: ['offline'] }).success).toBe(false);
    expect(BenchPlanSchema.safeParse({ models: ['shaped:resnet99'], scenarios: ['offline'] }).success).toBe(false);
    expect(BenchPlanSchema.safeParse({ models: ['active', 'active'], scenarios: ['offline'] }).success).toBe(false);
  });
});

describe('recommend', () => {
  const line = { rateFps: 20, deadlineMs: 100, headroom: 0.2 };

  it('picks the lowest p99 among settings that miss nothing, stay under the deadline with headroom and have the capacity', () => {
    const items = [
      result('line_rate', { threads: 1 }, figures({ p99: 40, fps: 20, missed: 0 })),
      result('line_rate', { threads: 2 }, figures({ p99: 30, fps: 20, missed: 0 })),
      // Faster, but it missed a frame.
      result('line_rate', { threads: 3 }, figures({ p99: 10, fps: 20, missed: 1 })),
      // Faster, but its offline capacity is under rate × 1.2.
      result('line_rate', { threads: 4, mode: 'throughput', batch: 8 }, figures({ p99: 20, fps: 20, missed: 0 })),
      result('offline', { threads: 4, mode: 'throughput', batch: 8 }, figures({ p99: 300, fps: 23 })),
      // Over the 80 ms budget (100 ms deadline less 20 %).
      result('line_rate', { threads: 5 }, figures({ p99: 85, fps: 20, missed: 0 })),
    ];
    const r = recommend(items, line);
    expect(r).toMatchObject({ found: true, resultId: items[1]!.id });
    expect(r.why).toMatch(/2 threads, latency mode: p99 30 ms at 20 frames\/s \(budget 80 ms\), no frame missed/);
  });

  it('breaks a tie with fewer threads, and uses single stream as the capacity of one frame at a time', () => {
    const a = result('line_rate', { threads: 2 }, figures({ p99: 30, fps: 20, missed: 0 }));
    const b = result('line_rate', { threads: 1 }, figures({ p99: 30, fps: 20, missed: 0 }));
    const slow = result('single_stream', { threads: 1 }, figures({ p99: 30, fps: 21 }));
    expect(recommend([a, b], line)).toMatchObject({ found: true, resultId: b.id });
    // One thread cannot do 20 × 1.2 frames a second one at a time: two threads it is.
    expect(recommend([a, b, slow], line)).toMatchObject({ found: true, resultId: a.id });
  });

  it('says why when nothing fits, or when there is no line-rate result', () => {
    expect(recommend([result('offline', {}, figures({ p99: 5, fps: 900 }))], line)).toEqual({
      found: false,
      why: 'no line-rate result: run the line_rate scenario to get a recommendation',
    });
    const none = recommend([result('line_rate', {}, figures({ p99: 150, fps: 20, missed: 7 }))], line);
    expect(none).toMatchObject({ found: false });
    expect(none.why).toMatch(/the best had p99 150 ms and missed 7/);
  });
});

describe('compareRuns', () => {
  it('matches two runs setting by setting, with the ratios of p99 and frames/s', () => {
    const a = [
      result('offline', { batch: 8, mode: 'throughput' }, figures({ p99: 100, fps: 200 })),
      result('single_stream', {}, figures({ p99: 10, fps: 100 })),
    ];
    const b = [result('single_stream', {}, figures({ p99: 12, fps: 90 })), result('single_stream', { threads: 2 }, figures({ p99: 8, fps: 120 }))];
    const rows = compareRuns(a, b);
    expect(rows.map((r) => r.setting)).toEqual([
      'demo-cherry 1.0.1 · cpu · 1 thr · offline · batch 8',
      'demo-cherry 1.0.1 · cpu · 1 thr · single stream',
      'demo-cherry 1.0.1 · cpu · 2 thr · single stream',
    ]);
    expect(rows[0]).toMatchObject({ b: null, p99Ratio: null });
    expect(rows[1]).toMatchObject({ p99Ratio: 1.2, fpsRatio: 0.9 });
    expect(rows[2]).toMatchObject({ a: null });
    expect(settingLabel({ ...a[0]!, scenario: 'line_rate' })).toBe('demo-cherry 1.0.1 · cpu · 1 thr · line rate throughput · batch 8');
  });
});
