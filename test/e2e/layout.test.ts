/**
 * Issue 12, operators: every page fits the station's screens. Each page (and
 * the sign-in dialog) at 1024×768, 1280×800 and 1920×1080 in Chromium, with
 * the line running, a standing alarm and rejects in the strip: no horizontal
 * scroll, nothing past the screen's edge or cut off by its box, and on Live
 * the decision, the counts and the alarm banner above the fold. A screenshot
 * of each under test-results/. Then legibility: every text on Live against
 * what is behind it meets WCAG AA, and a slider's thumb is big enough for a
 * gloved finger.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { StationStatus } from '../../src/shared/status';
import { useChromium } from '../helpers/browser';
import { screenshot } from '../helpers/e2e';
import { belowFold, layoutReport, SCREEN_SIZES, sliderThumbs, textContrast } from '../helpers/layout';
import { shiftsAroundNow } from '../helpers/shifts';
import { startStation, type RunningStation } from '../helpers/station-process';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

const status = async (url: string): Promise<StationStatus> => (await (await fetch(`${url}/api/status`)).json()) as StationStatus;

/** Each page, and what shows that it has drawn what it will draw. */
const PAGES = [
  { tab: 'live', ready: 'frame-image' },
  { tab: 'thresholds', ready: 'score-histogram' },
  { tab: 'diagnostics', ready: 'chart-latency' },
  { tab: 'models', ready: 'import-panel' },
  { tab: 'recipes', ready: 'recipes-table' },
  { tab: 'teach', ready: 'teach-folder' },
  { tab: 'history', ready: 'history-row' },
  { tab: 'benchmark', ready: 'plan-form' },
] as const;

/** What the operator must see on Live without scrolling. */
const LIVE_ABOVE_FOLD = ['live-decision', 'counts', 'alarm-banner'] as const;

async function openPage(browser: Browser, size: { width: number; height: number }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: size });
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  return { page, errors };
}

describe('every page on the station screens, in Chromium', () => {
  const tempDir = useTempDirs();
  const browser = useChromium();

  async function runningStation(thresholds?: { pit: number; maybe: number }): Promise<RunningStation> {
    const dataDir = tempDir();
    const config = join(dataDir, 'station.json');
    // The demo line, and a serial sensor that is not plugged in: a standing alarm, so the banner takes its room on every page.
    writeFileSync(
      config,
      JSON.stringify({
        shifts: shiftsAroundNow(),
        ...(thresholds ? { model: { thresholds } } : {}),
        sensors: {
          sources: [
            {
              kind: 'serial',
              id: 'line',
              path: join(dataDir, 'no-such-port'),
              framing: 'kv',
              channels: {
                vibration_g: { min: -20, max: 20 },
                temperature_c: { min: -20, max: 150 },
                humidity_pct: { min: 0, max: 100 },
              },
            },
          ],
        },
      }),
    );
    return startStation(['--port', '0', '--data-dir', dataDir, '--config', config]);
  }

  it('fits 1024×768, 1280×800 and 1920×1080 on every page with nothing cut off, and Live keeps the decision, counts and alarms above the fold', async () => {
    const station = await runningStation();
    const problems: string[] = [];
    const measured: string[] = [];
    try {
      // Enough of a line for History, the what-if and the strip of rejects.
      await waitFor('rejects and a few seconds of line', async () => {
        const s = await status(station.url);
        return s.decisions.pit >= 3 && s.station.uptimeS >= 5 && s.alarms.some((a) => a.kind === 'sensor');
      });
      for (const size of SCREEN_SIZES) {
        const label = `${size.width}×${size.height}`;
        const { page, errors } = await openPage(browser(), size);
        try {
          for (const p of PAGES) {
            await page.goto(`${station.url}/#/${p.tab}`);
            await page.getByTestId(`page-${p.tab}`).waitFor({ timeout: 15_000 });
            await page.getByTestId(p.ready).first().waitFor({ timeout: 15_000 });
            if (p.tab === 'live') await page.getByTestId('reject-thumb').first().waitFor({ timeout: 15_000 });
            if (p.tab === 'diagnostics') await page.locator('[data-testid="chart-latency"] canvas').waitFor();
            // Let late content (images, charts, the strip's next refresh) settle before measuring.
            await page.waitForTimeout(1200);
            const report = await layoutReport(page);
            measured.push(`${label} ${p.tab}: ${report.scrollWidth} px wide`);
            if (report.scrollWidth > report.clientWidth) problems.push(`${label} ${p.tab}: ${report.scrollWidth} px wide in ${report.clientWidth}`);
            for (const o of report.offscreen.slice(0, 5)) problems.push(`${label} ${p.tab}: past the edge: ${o}`);
            for (const c of report.clipped.slice(0, 5)) problems.push(`${label} ${p.tab}: ${c}`);
            if (p.tab === 'live') {
              const below = await belowFold(page, LIVE_ABOVE_FOLD);
              measured.push(`${label} live, px past the fold: ${JSON.stringify(below)}`);
              for (const [id, px] of Object.entries(below)) {
                if (px === null) problems.push(`${label} live: no ${id}`);
                else if (px > 0) problems.push(`${label} live: ${id} ends ${px} px below the fold`);
              }
            }
            // Every text on every page against what is behind it (WCAG AA), once, at the middle size.
            if (size.width === 1280) {
              for (const f of await textContrast(page, 'body')) {
                if (f.ratio < f.needed) problems.push(`${p.tab}: "${f.text}" ${f.color} on ${f.background}: ${f.ratio}:1 (needs ${f.needed}:1)`);
              }
            }
            // Live as the operator sees it; the other pages whole, to show what scrolls.
            await screenshot(page, `layout-${size.width}x${size.height}-${p.tab}`, p.tab !== 'live');
          }
          // The sign-in dialog, over Live.
          await page.goto(`${station.url}/#/live`);
          await page.getByTestId('sign-in-open').click();
          await page.getByTestId('sign-in').waitFor();
          const dialog = await layoutReport(page);
          measured.push(`${label} sign-in: ${dialog.scrollWidth} px wide`);
          if (dialog.scrollWidth > dialog.clientWidth) problems.push(`${label} sign-in: ${dialog.scrollWidth} px wide`);
          for (const o of dialog.offscreen.slice(0, 5)) problems.push(`${label} sign-in: past the edge: ${o}`);
          for (const c of dialog.clipped.slice(0, 5)) problems.push(`${label} sign-in: ${c}`);
          const submit = await page.getByTestId('sign-in-submit').boundingBox();
          if (!submit || submit.y + submit.height > size.height) problems.push(`${label} sign-in: the Sign in button is below the screen`);
          await screenshot(page, `layout-${size.width}x${size.height}-sign-in`);
        } finally {
          await page.close();
        }
        expect(errors, `console errors at ${label}`).toEqual([]);
      }
    } finally {
      expect(await station.stop()).toBe(0);
    }
    console.log(measured.join('\n'));
    expect(problems).toEqual([]);
  });

  it('gives every text on Live WCAG AA contrast, and slider thumbs of at least 44 px', async () => {
    const station = await runningStation({ pit: 0.9, maybe: 0.02 });
    const { page, errors } = await openPage(browser(), { width: 1280, height: 800 });
    try {
      await page.goto(`${station.url}/#/live`);
      await page.getByTestId('frame-image').waitFor({ timeout: 15_000 });
      await page.getByTestId('alarm-banner').waitFor({ timeout: 15_000 });
      // Every decision the panel can show, so that each colour pair is measured (a low maybe threshold makes the demo line give all three).
      const seen = new Set<string>();
      const failing: string[] = [];
      await waitFor(
        'a clean, a maybe and a pit item on the panel',
        async () => {
          const decision = await page.getByTestId('decision').getAttribute('data-decision');
          if (decision && !seen.has(decision)) {
            seen.add(decision);
            for (const f of await textContrast(page, '[data-testid="page-live"], .topbar, .statusbar, [data-testid="alarm-banner"]')) {
              if (f.ratio < f.needed) failing.push(`${decision}: "${f.text}" ${f.color} on ${f.background}: ${f.ratio}:1 (needs ${f.needed}:1)`);
            }
          }
          return seen.size === 3;
        },
        30_000,
        100,
      );
      expect(failing).toEqual([]);

      // Slider thumbs, on Thresholds: laid out at least 44 px each way, and a press 18 px off the thumb's centre
      // still takes the thumb (the value does not jump to where the finger landed on the track).
      await page.goto(`${station.url}/#/thresholds`);
      const slider = page.getByTestId('slider-pit');
      await slider.waitFor({ timeout: 15_000 });
      const thumbs = await sliderThumbs(page);
      expect(thumbs.length).toBe(await page.locator('input[type="range"]').count());
      for (const t of thumbs) {
        expect(t.width).toBeGreaterThanOrEqual(44);
        expect(t.height).toBeGreaterThanOrEqual(44);
      }
      await slider.scrollIntoViewIfNeeded();
      const before = await page.getByTestId('value-pit').textContent();
      const box = await slider.boundingBox();
      if (!box) throw new Error('the pit slider has no box');
      expect(box.height).toBeGreaterThanOrEqual(44);
      const thumb = thumbs[0]!.width;
      // The thumb's centre travels from half a thumb in from one end to half a thumb in from the other.
      const thumbX = box.x + thumb / 2 + Number(before) * (box.width - thumb);
      await page.mouse.click(thumbX + 18, box.y + box.height / 2);
      expect(await page.getByTestId('value-pit').textContent()).toBe(before);
    } finally {
      await page.close();
      expect(await station.stop()).toBe(0);
    }
    expect(errors).toEqual([]);
  });
  it('fits the Benchmark page with a finished run (its charts and tables) at every size', async () => {
    const dataDir = tempDir();
    const config = join(dataDir, 'station.json');
    writeFileSync(config, JSON.stringify({ sensors: { sources: [] } }));
    const station = await startStation(['--port', '0', '--data-dir', dataDir, '--config', config]);
    const { page, errors } = await openPage(browser(), { width: 1280, height: 800 });
    const problems: string[] = [];
    try {
      await page.goto(`${station.url}/#/benchmark`);
      await page.getByTestId('plan-form').waitFor({ timeout: 15_000 });
      await page.getByTestId('plan-budget-quick').click();
      await page.getByTestId('bench-start').click();
      const pin = page.getByTestId('sign-in');
      for (const d of '1234') await pin.getByTestId(`pin-${d}`).click();
      await pin.getByTestId('sign-in-submit').click();
      await page.getByTestId('bench-pause').click();
      await waitFor('the run done', async () => (await page.getByTestId('bench-progress').getAttribute('data-state')) === 'done', 90_000);
      await page.locator('[data-testid="bench-latency-chart"] canvas').waitFor({ timeout: 15_000 });
      await page.getByTestId('bench-stage-chart').waitFor();
      for (const size of SCREEN_SIZES) {
        const label = `${size.width}×${size.height}`;
        await page.setViewportSize(size);
        // The charts redraw to their new width.
        await page.waitForTimeout(500);
        const report = await layoutReport(page);
        if (report.scrollWidth > report.clientWidth) problems.push(`${label}: ${report.scrollWidth} px wide in ${report.clientWidth}`);
        for (const o of report.offscreen.slice(0, 5)) problems.push(`${label}: past the edge: ${o}`);
        for (const c of report.clipped.slice(0, 5)) problems.push(`${label}: ${c}`);
        await screenshot(page, `layout-${size.width}x${size.height}-benchmark-results`, true);
      }
    } finally {
      await page.close();
      expect(await station.stop()).toBe(0);
    }
    expect(problems).toEqual([]);
    expect(errors).toEqual([]);
  });
});
