/**
 * The benchmark panel in jsdom: the plan form and what it would run, the
 * question when the line is running, progress with the time left, cancel.
 * (The charts draw on a canvas, which jsdom has not: Chromium shows them, test/e2e/benchmark.test.ts.)
 */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BenchPlanSchema, type BenchOptions } from '../../src/shared/bench';
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
afterEach(cleanup);

const options: BenchOptions = {
  models: [
    { ref: 'active', label: 'running now: demo-cherry 1.0.1' },
    { ref: 'shaped:mobilenet-shaped', label: 'mobilenet-shaped (generated, seeded weights)' },
  ],
  providers: ['cuda', 'cpu'],
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

function setup() {
  const technician = operatorSession({ role: 'technician', user: 'ana', expiresAt: '2026-01-01T01:00:00Z' });
  return memoryApi(stationStatus(), {
    getSession: () => technician,
    getBenchmarkOptions: () => options,
    listBenchmarks: () => [],
    startBenchmark: () => ({ runId: 7 }),
    cancelBenchmark: ({ runId }) => {
      throw new Error(`cancelBenchmark failed: benchmark run ${runId} is not running`);
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
    fireEvent.click(screen.getByTestId('bench-cancel'));
    expect((await screen.findByTestId('bench-error')).textContent).toBe('cancelBenchmark failed: benchmark run 7 is not running');
  });
});
