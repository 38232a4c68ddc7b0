/**
 * End to end: the built headless station on the real engine and demo data,
 * its UI in Debian's Chromium. The live page must show classified frames,
 * its shift counts must equal the rows in the SQLite file, rejects must be
 * in the strip, a stalled camera must raise the banner, and the page must
 * not log a single console error.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { useChromium } from '../helpers/browser';
import { screenshot, watchedPage } from '../helpers/e2e';
import { belowFold, layoutReport, SCREEN_SIZES } from '../helpers/layout';
import { startMjpegServer } from '../helpers/mjpeg-server';
import { DEMO_FRAMES_DIR } from '../helpers/paths';
import { shiftsAroundNow } from '../helpers/shifts';
import { startStation, type RunningStation } from '../helpers/station-process';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';
import type { StationStatus } from '../../src/shared/status';

const status = async (url: string): Promise<StationStatus> => (await (await fetch(`${url}/api/status`)).json()) as StationStatus;

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
      // Each frame swaps the picture's source, so wait until one has decoded rather than sampling mid-swap.
      await waitFor('the current frame decoded on the page', async () =>
        page
          .getByTestId('frame-image')
          .evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).naturalWidth > 0)
          .catch(() => false),
      );
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
      // In plain words for the operator (the technical message is on Diagnostics: the camera-down test below).
      expect(await camera.textContent()).toMatch(/CAMERA.*The camera is not sending pictures\. Call a technician\./);
      expect(await page.getByTestId('alarm-failsafe').textContent()).toMatch(/REJECTING ALL.*Every item is being rejected\. Call a technician\./);
      expect(await page.getByTestId('rejecting-all').textContent()).toMatch(/REJECTING ALL/);
      await screenshot(page, 'alarm-banner');
    } finally {
      await page.close();
      expect(await station.stop()).toBe(0);
    }
    expect(errors).toEqual([]);
  });
  it('says REJECTING ALL on Live when the camera goes down, why in plain words and to call a technician, with the technical detail on Diagnostics', async () => {
    const frames = ['00000.jpg', '00001.jpg', '00002.jpg'].map((f) => readFileSync(join(DEMO_FRAMES_DIR, f)));
    const camera = await startMjpegServer({ frames, fps: 10 });
    const dataDir = tempDir();
    const config = join(dataDir, 'station.json');
    writeFileSync(config, JSON.stringify({ source: { kind: 'mjpeg', url: camera.url, stallMs: 500 }, sensors: { sources: [] }, shifts: shiftsAroundNow() }));
    const station = await startStation(['--port', '0', '--data-dir', dataDir, '--config', config]);
    const { page, errors } = await watchedPage(browser());
    try {
      await page.goto(station.url);
      await page.getByTestId('decision').waitFor({ timeout: 15_000 });
      expect(await page.getByTestId('rejecting-all').count()).toBe(0);

      // The camera goes away: its address refuses connections, as a camera unplugged from the network does.
      await camera.close();
      await waitFor('the camera alarm with its technical reason', async () =>
        /ECONNREFUSED/.test((await status(station.url)).alarms.find((a) => a.kind === 'camera')?.message ?? ''),
      );
      const panel = page.getByTestId('rejecting-all');
      await panel.waitFor({ timeout: 10_000 });
      expect(await panel.textContent()).toMatch(/^REJECTING ALL/);
      expect(await page.getByTestId('rejecting-why').textContent()).toBe('The camera is not sending pictures.');
      expect(await page.getByTestId('rejecting-todo').textContent()).toBe('Call a technician.');
      expect(await page.getByTestId('alarm-camera').textContent()).toMatch(/The camera is not sending pictures\. Call a technician\./);
      // Nothing technical on Live: not the error, not the camera's address.
      const live = await page.locator('body').innerText();
      expect(live).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|camera down|no decision yet/);

      // One unmistakable state at every screen size: the panel, the counts and the banner above the fold, nothing cut off.
      for (const size of SCREEN_SIZES) {
        await page.setViewportSize(size);
        await page.waitForTimeout(300);
        const report = await layoutReport(page);
        expect(report.scrollWidth, `width at ${size.width}×${size.height}`).toBeLessThanOrEqual(report.clientWidth);
        expect([...report.offscreen, ...report.clipped], `at ${size.width}×${size.height}`).toEqual([]);
        const below = await belowFold(page, ['live-decision', 'counts', 'alarm-banner']);
        for (const [id, px] of Object.entries(below)) expect(px, `${id} at ${size.width}×${size.height}`).toBeLessThanOrEqual(0);
        await screenshot(page, `live-rejecting-all-${size.width}x${size.height}`);
      }

      // "details" leads a technician to Diagnostics, where the technical message is.
      await page.getByTestId('alarm-details').first().click();
      await page.getByTestId('page-diagnostics').waitFor();
      expect(await page.getByTestId('diag-alarm-camera').textContent()).toMatch(/camera down: cannot read .*ECONNREFUSED 127\.0\.0\.1/);
      expect(await page.getByTestId('diag-alarm-failsafe').textContent()).toMatch(/ECONNREFUSED/);
      expect(await page.getByTestId('alarm-details').count()).toBe(0);
    } finally {
      await page.close();
      expect(await station.stop()).toBe(0);
    }
    expect(errors).toEqual([]);
  });
});
