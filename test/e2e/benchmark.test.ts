/**
 * End to end, the benchmark panel in Chromium against the real station:
 * a plan started while the line runs (asked first, the line paused for it),
 * progress that moves, one run cancelled, another completed, its results in
 * the table and in the SQLite file, the recommendation applied.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { StationStatus } from '../../src/shared/status';
import { useChromium } from '../helpers/browser';
import { screenshot, watchedPage } from '../helpers/e2e';
import { startStation } from '../helpers/station-process';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

const status = async (url: string): Promise<StationStatus> => (await (await fetch(`${url}/api/status`)).json()) as StationStatus;
const text = async (page: Page, id: string): Promise<string> => (await page.getByTestId(id).textContent()) ?? '';

describe('benchmark panel in Chromium', () => {
  const tempDir = useTempDirs();
  const browser = useChromium();

  it('starts a plan, shows its progress, cancels one run, completes another, and keeps both', async () => {
    const dataDir = tempDir();
    const config = join(dataDir, 'station.json');
    writeFileSync(config, JSON.stringify({ source: { kind: 'replay', fps: 10 }, sensors: { sources: [] }, line: { rateFps: 10 } }));
    const station = await startStation(['--port', '0', '--data-dir', dataDir, '--config', config]);
    const { page, errors } = await watchedPage(browser());
    try {
      await page.goto(`${station.url}/#/benchmark`);
      await page.getByTestId('plan-form').waitFor({ timeout: 15_000 });
      await waitFor('the line running', async () => (await status(station.url)).frames.classified > 5);
      // The default plan: the running model, every scenario, one thread, batch 8, both modes: four cases.
      expect(await text(page, 'plan-cases')).toMatch(/^4 cases, each beside the bare onnxruntime-node floor/);
      // Run 1 long enough (8 s a case) that it is always cancelled mid-way, however busy this machine is.
      await page.getByTestId('plan-budget-thorough').click();

      // Run 1: asked first (the line is running), paused for it, then cancelled once it has moved.
      await page.getByTestId('bench-start').click();
      const pin = page.getByTestId('sign-in');
      for (const d of '1234') await pin.getByTestId(`pin-${d}`).click();
      await pin.getByTestId('sign-in-submit').click();
      await page.getByTestId('bench-line-running').waitFor();
      await page.getByTestId('bench-pause').click();
      await page.getByTestId('bench-progress').waitFor();
      expect(await page.getByTestId('bench-progress').getAttribute('data-state')).toBe('running');
      expect((await status(station.url)).line).toMatchObject({ paused: true });
      await waitFor(
        'progress to move: a case done and an estimate of the time left',
        async () => Number(await text(page, 'bench-progress-done')) >= 1 && /left/.test(await text(page, 'bench-eta')),
        30_000,
      );
      await page.getByTestId('bench-cancel').click();
      await waitFor('run 1 cancelled', async () => (await page.getByTestId('bench-progress').getAttribute('data-state')) === 'cancelled', 30_000);
      expect((await status(station.url)).line.paused).toBe(false);

      // Run 2: quick, to the end.
      await page.getByTestId('plan-budget-quick').click();
      await page.getByTestId('bench-start').click();
      await page.getByTestId('bench-pause').click();
      await waitFor('run 2 done', async () => (await page.getByTestId('bench-progress').getAttribute('data-state')) === 'done', 90_000);
      await waitFor('run 2 shown', async () => (await page.getByTestId('bench-run').getAttribute('data-run')) === '2');
      const rows = page.getByTestId('bench-result');
      await waitFor('four results in the table', async () => (await rows.count()) === 4);
      const shown = await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-status'), tr.querySelector('td')?.textContent ?? '']));
      expect(shown.map(([s]) => s)).toEqual(['done', 'done', 'done', 'done']);
      expect(shown.map(([, label]) => label)).toEqual([
        expect.stringMatching(/demo-cherry 1\.0\.1 · cpu · 1 thr · single stream/),
        expect.stringMatching(/offline · batch 8/),
        expect.stringMatching(/line rate latency/),
        expect.stringMatching(/line rate throughput · batch 8/),
      ]);
      await page.getByTestId('bench-fps-chart').waitFor();
      await page.locator('[data-testid="bench-latency-chart"] canvas').waitFor();
      await page.getByTestId('bench-stage-chart').waitFor();
      expect(await text(page, 'bench-recommendation')).toMatch(/^Recommended: demo-cherry 1\.0\.1 on cpu/);
      await screenshot(page, 'benchmark-page', true);

      const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
      const runs = db.prepare('SELECT id, state, actor, cases FROM bench_runs ORDER BY id').all();
      const results = db.prepare('SELECT run_id, scenario, mode, batch, status FROM bench_results WHERE run_id = 2 ORDER BY id').all();
      const cancelled = db.prepare('SELECT status FROM bench_results WHERE run_id = 1 ORDER BY id').all() as { status: string }[];
      db.close();
      expect(runs).toEqual([
        { id: 1, state: 'cancelled', actor: 'technician (browser 127.0.0.1)', cases: 4 },
        { id: 2, state: 'done', actor: 'technician (browser 127.0.0.1)', cases: 4 },
      ]);
      expect(results).toEqual([
        { run_id: 2, scenario: 'single_stream', mode: 'latency', batch: 1, status: 'done' },
        { run_id: 2, scenario: 'offline', mode: 'throughput', batch: 8, status: 'done' },
        { run_id: 2, scenario: 'line_rate', mode: 'latency', batch: 1, status: 'done' },
        { run_id: 2, scenario: 'line_rate', mode: 'throughput', batch: 8, status: 'done' },
      ]);
      expect(cancelled.at(-1)?.status).toBe('cancelled');
      expect(cancelled.length).toBeLessThan(4);

      // One click (and a reason) applies the recommendation to the line.
      await page.getByTestId('bench-apply').click();
      const dialog = page.getByTestId('reason-dialog');
      await dialog.getByText('Benchmark recommendation').click();
      await dialog.getByTestId('reason-confirm').click();
      await waitFor('applied', async () => /^Applied: cpu, 1 thread\(s\)/.test(await text(page, 'bench-message')));
      expect((await status(station.url)).model.settingsSetBy).toMatchObject({ actor: 'technician (browser 127.0.0.1)' });
    } finally {
      await page.close();
      expect(await station.stop()).toBe(0);
    }
    expect(errors).toEqual([]);
  });
});
