/**
 * End to end: the built headless station on the real engine and demo data,
 * its UI in Debian's Chromium. The live page must show classified frames,
 * its counts must equal the rows in the SQLite file, and the page must not
 * log a single console error.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser';
import { ROOT } from '../helpers/paths';
import { startStation, type RunningStation } from '../helpers/station-process';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

const SCREENSHOT_DIR = join(ROOT, 'test-results');
const FRAMES = 60;

describe('live page in Chromium', () => {
  const tempDir = useTempDirs();
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows at least 20 classified frames, with counts equal to the rows in the SQLite file', async () => {
    const dataDir = tempDir();
    const config = join(dataDir, 'station.json');
    // A finite replay, so that the page and the database can be compared once the line has run out.
    writeFileSync(config, JSON.stringify({ source: { kind: 'replay', fps: 15, loop: false, limit: FRAMES } }));
    let station: RunningStation | null = null;
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
    try {
      station = await startStation(['--port', '0', '--data-dir', dataDir, '--config', config]);
      await page.goto(station.url);
      await page.getByTestId('decision').waitFor({ timeout: 15_000 });
      const total = async (): Promise<number> => Number(await page.getByTestId('count-total').textContent());
      await waitFor('20 classified frames on the page', async () => (await total()) >= 20);
      // The current frame is shown, with its decision as a word (not colour alone).
      await page.getByTestId('frame-image').waitFor();
      expect(await page.getByTestId('frame-image').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
      expect(await page.getByTestId('decision').textContent()).toMatch(/CLEAN|MAYBE|PIT/);
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'live-page.png') });

      await waitFor(`all ${FRAMES} frames counted on the page`, async () => (await total()) === FRAMES);
      const shown = {
        clean: Number(await page.getByTestId('count-clean').textContent()),
        maybe: Number(await page.getByTestId('count-maybe').textContent()),
        pit: Number(await page.getByTestId('count-pit').textContent()),
      };
      // The log commits at least every 100 ms; the page's last status came after the last frame.
      await new Promise((r) => setTimeout(r, 300));
      const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
      const rows = db.prepare('SELECT decision, COUNT(*) AS n FROM inspections GROUP BY decision').all() as { decision: keyof typeof shown; n: number }[];
      db.close();
      const inDb = { clean: 0, maybe: 0, pit: 0, ...Object.fromEntries(rows.map((r) => [r.decision, r.n])) };
      expect(shown).toEqual(inDb);
      expect(shown.clean + shown.maybe + shown.pit).toBe(FRAMES);
      expect(shown.clean).toBeGreaterThan(0);
      expect(shown.pit).toBeGreaterThan(0);
    } finally {
      await page.close();
      if (station) expect(await station.stop()).toBe(0);
    }
    expect(consoleErrors).toEqual([]);
  });
});
