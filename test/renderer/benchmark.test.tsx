/**
 * The benchmark panel in jsdom: the plan form and what it would run, the
 * question when the line is running, progress with the time left, cancel;
 * providers known not to load marked; a run's percentiles flagged where its
 * frames cannot support them, its ratio and capacities labelled, every stage
 * keyed. (The latency chart draws on a canvas, which jsdom has not: here it
 * is a stand-in showing its options; Chromium draws it, test/e2e/benchmark.test.ts.)
 */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BenchPlanSchema, recommend, type BenchFigures, type BenchOptions, type BenchResult, type BenchRun } from '../../src/shared/bench';
import { App } from '../../src/renderer/src/App';
import { memoryApi, operatorSession, stationStatus } from './helpers/memory-api';

beforeAll(() => {
  // uPlot reads the screen's pixel ratio when it loads; jsdom has no matchMedia.
  window.matchMedia ??= ((query: string) => ({
    matches: false,
    media: query,
    addEventListener() {},
    removeEventListener() {},
    addListener() {},
    removeListener() {},
  })) as unknown as typeof window.matchMedia;
});

// uPlot draws on a canvas, which jsdom has not: the chart here is its title and the options it was given.
vi.mock('../../src/renderer/src/components/TimeChart', () => ({
  TimeChart: ({ title, testId, yLog, series }: { title: string; testId?: string; yLog?: boolean; series: readonly { label: string }[] }) => (
    <figure className="chart" data-testid={testId} data-ylog={String(yLog === true)} data-series={series.map((x) => x.label).join('|')}>
      <figcaption>{title}</figcaption>
    </figure>
  ),
}));
afterEach(cleanup);

const options: BenchOptions = {
  models: [
    { ref: 'active', label: 'running now: demo-cherry 1.0.1' },
    { ref: 'shaped:mobilenet-shaped', label: 'mobilenet-shaped (generated, seeded weights)' },
  ],
  providers: ['cuda', 'cpu'],
  providerProblems: [{ provider: 'cuda', reason: 'libcublasLt.so.12: cannot open shared object file: No such file or directory' }],
  cores: 4,
  threadChoices: [1, 2, 3, 4],
  lineRateFps: 12,
  deadlineMs: 800,
  lineRunning: true,
  current: null,
  defaultPlan: BenchPlanSchema.parse({
    models: ['active'],
    scenarios: ['single_stream', 'offline', 'line_rate'],
    threads: [3],
    batches: [8],
    modes: ['latency', 'throughput'],
  }),
};

const figures = (f: { frames: number; p99: number; fps: number; lineRate?: boolean }): BenchFigures => ({
  frames: f.frames,
  durationS: 2,
  latencyMs: { p50: f.p99 / 2, p90: f.p99 * 0.8, p95: f.p99 * 0.9, p99: f.p99, max: f.p99, mean: f.p99 / 2 },
  percentilesMs: Array.from({ length: 101 }, (_, i) => ((i + 1) / 101) * f.p99),
  fps: f.fps,
  stagesMs: { queue: 0.4, decode: 2, preprocess: 0.5, inference: 1.2, decision: 0.01, log: 0.02, other: 0.3 },
  raw: { perFrameMs: 0.4, runP50Ms: 0.4, fps: 2500 },
  ratioVsRaw: 8.1,
  inferenceRatioVsRaw: 1.1,
  spread: 0.2,
  failed: 0,
  ...(f.lineRate ? { lineRate: { rateFps: 10, deadlineMs: 800, missed: 0, missedPct: 0, dropped: 0 } } : {}),
  loopDelayP99Ms: 1,
});

const item = (id: number, scenario: BenchResult['scenario'], batch: number, f: BenchFigures): BenchResult => ({
  id,
  runId: 3,
  model: 'active',
  modelLabel: 'demo-cherry 1.0.1',
  provider: 'cpu',
  threads: 1,
  scenario,
  mode: scenario === 'offline' ? 'throughput' : 'latency',
  batch,
  status: 'done',
  error: null,
  figures: f,
});

/** A quick run: single stream at 227.1 frames/s, offline at batch 8 at 306.9, and 16 frames at the line's rate. */
function quickRun(): BenchRun {
  const items = [
    item(1, 'single_stream', 1, figures({ frames: 64, p99: 6, fps: 227.1 })),
    item(2, 'offline', 8, figures({ frames: 1200, p99: 40, fps: 306.9 })),
    item(3, 'line_rate', 1, figures({ frames: 16, p99: 9, fps: 10, lineRate: true })),
  ];
  return {
    id: 3,
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:09Z',
    state: 'done',
    actor: 'ana (desktop)',
    plan: BenchPlanSchema.parse({ models: ['active'], scenarios: ['single_stream', 'offline', 'line_rate'], budget: 'quick' }),
    lineRateFps: 10,
    deadlineMs: 800,
    lineRunning: false,
    cases: 3,
    results: 3,
    error: null,
    machine: { cpu: 'test CPU', cores: 2 },
    items,
    recommendation: recommend(items, { rateFps: 10, deadlineMs: 800, headroom: 0.2 }),
  };
}

function setup(run: BenchRun | null = null) {
  const technician = operatorSession({ role: 'technician', user: 'ana', expiresAt: '2026-01-01T01:00:00Z' });
  const { items: _items, machine: _machine, recommendation: _recommendation, ...summary } = run ?? quickRun();
  return memoryApi(stationStatus(), {
    getSession: () => technician,
    getBenchmarkOptions: () => options,
    listBenchmarks: () => (run ? [summary] : []),
    getBenchmark: () => run ?? quickRun(),
    startBenchmark: () => ({ runId: 7 }),
    cancelBenchmark: ({ runId }) => {
      throw new Error(`benchmark run ${runId} is not running`);
    },
  });
}

describe('benchmark panel', () => {
  it('counts the cases of the plan as it is chosen, and says what is missing', async () => {
    const { api } = setup();
    window.location.hash = '#/benchmark';
    render(<App api={api} transport="websocket" />);
    const cases = await screen.findByTestId('plan-cases');
    // single stream + offline batch 8 + line rate latency + line rate throughput batch 8
    expect(cases.textContent).toBe('4 cases, each beside the bare onnxruntime-node floor; deadline 800 ms at 12 frames/s');
    fireEvent.click(screen.getByTestId('plan-threads-1'));
    fireEvent.click(screen.getByTestId('plan-models-shaped:mobilenet-shaped'));
    expect(cases.textContent).toMatch(/^16 cases/);
    fireEvent.click(screen.getByTestId('plan-modes-latency'));
    fireEvent.click(screen.getByTestId('plan-modes-throughput'));
    expect(cases.textContent).toBe('choose a mode for the line-rate scenario');
    expect(screen.getByTestId('bench-start')).toHaveProperty('disabled', true);
  });

  it('asks before it starts while the line runs, starts with the answer, and follows the progress', async () => {
    const { api, calls, emit } = setup();
    window.location.hash = '#/benchmark';
    render(<App api={api} transport="websocket" />);
    fireEvent.click(await screen.findByTestId('bench-start'));
    const ask = await screen.findByTestId('bench-line-running');
    expect(ask.textContent).toMatch(/every item is rejected until it ends/);
    fireEvent.click(within(ask).getByTestId('bench-pause'));
    await waitFor(() => expect(calls.find((c) => c.op === 'startBenchmark')).toBeDefined());
    expect(calls.find((c) => c.op === 'startBenchmark')?.request).toMatchObject({ whileLineRuns: 'pause', plan: { models: ['active'], threads: [3] } });
    await act(async () =>
      emit('benchProgress', {
        runId: 7,
        state: 'running',
        done: 1,
        total: 4,
        current: 'demo-cherry 1.0.1: offline on cpu, 3 threads, throughput, batch 8',
        etaS: 75,
        elapsedS: 9,
      }),
    );
    expect(screen.getByTestId('bench-progress-done').textContent).toBe('1');
    expect(screen.getByTestId('bench-eta').textContent).toBe(' · about 1 min 15 s left');
    expect(screen.getByTestId('bench-current').textContent).toMatch(/offline on cpu/);
    // Start is off while a run goes, and says why.
    expect(screen.getByTestId('bench-start')).toHaveProperty('disabled', true);
    expect(screen.getByTestId('bench-start-why').textContent).toBe('A run is in progress: wait for it to finish, or cancel it.');
    fireEvent.click(screen.getByTestId('bench-cancel'));
    expect((await screen.findByTestId('bench-error')).textContent).toBe('benchmark run 7 is not running');
  });

  it('marks a provider the station already saw fail to load, with the reason, unchecked but still selectable', async () => {
    const { api } = setup();
    window.location.hash = '#/benchmark';
    render(<App api={api} transport="websocket" />);
    const cuda = await screen.findByTestId('plan-providers-cuda');
    expect(cuda.textContent).toBe('CUDA — did not load here: libcublasLt.so.12: cannot open shared object file: No such file or directory');
    expect(cuda.getAttribute('aria-checked')).toBe('false');
    expect(screen.getByTestId('plan-providers-cpu').textContent).toBe('CPU');
    fireEvent.click(cuda);
    expect(cuda.getAttribute('aria-checked')).toBe('true');
    expect(screen.getByTestId('plan-cases').textContent).toMatch(/^8 cases/);
  });

  it('flags a p99 from 16 frames, labels the ratio and each capacity with its scenario, and keys every stage, queue included', async () => {
    const { api } = setup(quickRun());
    window.location.hash = '#/benchmark';
    render(<App api={api} transport="websocket" />);
    const table = await screen.findByTestId('bench-results');
    const rows = within(table).getAllByTestId('bench-result');
    expect(rows).toHaveLength(3);
    // 16 frames at line rate: the p99 is the slowest frame, and says so; 1,200 offline frames support it.
    const line = rows[2]!;
    expect(within(line).getByTestId('bench-thin-p99').textContent).toBe('9.00*');
    expect(within(line).getByTestId('bench-thin-p99').getAttribute('title')).toBe(
      'p99 from 16 frames is in effect the slowest frame; a p99 needs ≥ 1,000 frames',
    );
    expect(within(line).getByTestId('bench-sample-note').textContent).toMatch(/^p99 from 16 frames is in effect the slowest frame; a p99 needs ≥ 1,000 frames/);
    expect(within(rows[1]!).queryByTestId('bench-thin-p99')).toBeNull();
    expect(within(rows[0]!).getByTestId('bench-thin-p99').textContent).toBe('6.00*');
    expect(table.querySelector('thead')!.textContent).toMatch(/× bare runtimedecode included/);
    const notes = screen.getByTestId('bench-table-notes').textContent!;
    expect(notes).toMatch(/p99 ≥ 1,000 frames/);
    expect(notes).toMatch(/× bare runtime, decode included: .* engine\.\* rows give the line frames decoded beforehand and read near 1/);
    // The recommendation's capacity is single stream's 227.1, said as such (it was called "offline").
    const why = screen.getByTestId('bench-recommendation').textContent!;
    expect(why).toMatch(
      /^Recommended: demo-cherry 1\.0\.1 on cpu, 1 thread, latency mode: 227\.1 frames\/s single stream, the only setting that meets the line/,
    );
    expect(why).toMatch(/p99 9 ms \(p99 from 16 frames is in effect the slowest frame; a p99 needs ≥ 1,000 frames\)/);
    // Capacity bars: single stream and offline only (at line rate, frames/s is the rate they came at).
    const bars = screen.getByTestId('bench-fps-chart');
    expect([...bars.querySelectorAll('.bar-label')].map((t) => t.textContent)).toEqual([
      'demo-cherry 1.0.1 · cpu · 1 thr · single stream',
      'demo-cherry 1.0.1 · cpu · 1 thr · offline · batch 8',
    ]);
    expect(bars.querySelector('.bar-highlight')).not.toBeNull();
    const latency = screen.getByTestId('bench-latency-chart');
    expect(latency.querySelector('figcaption')!.textContent).toMatch(/log scale/);
    expect(latency.getAttribute('data-ylog')).toBe('true');
    expect(screen.getByTestId('bench-latency-note').textContent).toMatch(/line rate latency: p99 from 16 frames .*; its curve means something up to p37\./);
    // The key is HTML below the bars (it wraps rather than running off the drawing), every stage in it.
    const key = screen.getByTestId('bench-stage-chart-key');
    expect(key.tagName).toBe('UL');
    expect([...key.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['queue', 'decode', 'preprocess', 'inference', 'decision', 'log', 'other']);
  });
});
