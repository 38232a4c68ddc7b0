/**
 * End to end: the built headless station on the real engine and demo data,
 * its UI in Debian's Chromium. The live page must show classified frames,
 * its shift counts must equal the rows in the SQLite file, rejects must be
 * in the strip, a stalled camera must raise the banner, and the page must
 * not log a single console error.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { useChromium } from '../helpers/browser';
import { screenshot, watchedPage } from '../helpers/e2e';
import { shiftsAroundNow } from '../helpers/shifts';
import { startStation, type RunningStation } from '../helpers/station-process';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

const FRAMES = 60;

describe('live page in Chromium', () => {
  const tempDir = useTempDirs();
  const browser = useChromium();

  it('shows at least 20 classified frames, with shift counts equal to the rows in the SQLite file, and the latest rejects', async () => {
    const dataDir = tempDir();
    const config = join(dataDir, 'station.json');
    // A finite replay, so that the page and the database can be compared once the line has run out.
    writeFileSync(config, JSON.stringify({ source: { kind: 'replay', fps: 15, loop: false, limit: FRAMES }, shifts: shiftsAroundNow() }));
    let station: RunningStation | null = null;
    const { page, errors } = await watchedPage(browser());
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
      await page.getByTestId('reject-thumb').first().waitFor();
      await screenshot(page, 'live-page');

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
      expect(shown.clean).toBeGreaterThan(0);
      expect(shown.pit).toBeGreaterThan(0);
      expect(await page.getByTestId('hour-total').textContent()).toBe(String(FRAMES));

      // The strip holds the latest rejects; one tap shows it large.
      const thumbs = page.getByTestId('reject-thumb');
      expect(await thumbs.count()).toBe(Math.min(8, shown.pit));
      await thumbs.first().click();
      const enlarged = page.getByTestId('reject-enlarged');
      await enlarged.getByRole('img').waitFor();
      expect(await enlarged.getByTestId('decision').getAttribute('data-decision')).toBe('pit');
      await page.keyboard.press('Escape');
      await enlarged.waitFor({ state: 'detached' });
    } finally {
      await page.close();
      if (station) expect(await station.stop()).toBe(0);
    }
    expect(errors).toEqual([]);
  });

  it('raises the camera alarm and the fail-safe across the page when the camera stalls', async () => {
    const dataDir = tempDir();
    const empty = join(dataDir, 'camera-drop');
    mkdirSync(empty);
    const config = join(dataDir, 'station.json');
    // A hot folder nobody writes into: the camera has stalled.
    writeFileSync(config, JSON.stringify({ source: { kind: 'hot-folder', dir: empty, stallMs: 500 }, sensors: { sources: [] } }));
    const station = await startStation(['--port', '0', '--data-dir', dataDir, '--config', config]);
    const { page, errors } = await watchedPage(browser());
    try {
      await page.goto(station.url);
      const camera = page.getByTestId('alarm-camera');
      await camera.waitFor({ timeout: 10_000 });
      expect(await camera.textContent()).toMatch(/CAMERA.*camera stalled: no frame for/);
      expect(await page.getByTestId('alarm-failsafe').textContent()).toMatch(/FAIL-SAFE.*Every item is being rejected/);
      await screenshot(page, 'alarm-banner');
    } finally {
      await page.close();
      expect(await station.stop()).toBe(0);
    }
    expect(errors).toEqual([]);
  });
});
