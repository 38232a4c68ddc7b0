/**
 * End to end in Chromium against the real station (issue 15): a technician teaches a model on a labelled
 * folder of real castings on the Teach page — progress, the held-out figures, the model in the registry —
 * and calibrates the running casting model on the Thresholds page — refused on too few defects, then the
 * guarantee, the cost table and the curves — and applies it, with the audit row in the SQLite file.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { StationStatus } from '../../src/shared/status';
import { useChromium } from '../helpers/browser';
import { CASTING_MODEL_DIR, CASTINGS, castingSubset } from '../helpers/castings';
import { screenshot, signInAsTechnician, watchedPage } from '../helpers/e2e';
import { startStationWithConfig, type RunningStation } from '../helpers/station-process';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

const status = async (url: string): Promise<StationStatus> => (await (await fetch(`${url}/api/status`)).json()) as StationStatus;

describe('teach and calibrate in Chromium', () => {
  const tempDir = useTempDirs();
  const browser = useChromium();

  const station = (config: object): Promise<{ station: RunningStation; dataDir: string }> => startStationWithConfig(tempDir(), config);

  it('teaches a labelled folder with progress while the line runs, shows the held-out figures, and registers the model', async () => {
    const stick = tempDir();
    const data = castingSubset(join(stick, 'castings'), 200, 7, 'copy');
    const { station: s, dataDir } = await station({ source: { kind: 'replay', fps: 10 }, model: { importRoots: [stick] } });
    const { page, errors } = await watchedPage(browser());
    try {
      await page.goto(`${s.url}/#/teach`);
      await signInAsTechnician(page);
      // A folder outside the import folders is refused before anything under it is read.
      await page.getByTestId('teach-folder').fill(dataDir);
      await page.getByTestId('teach-look').click();
      expect(await page.getByTestId('teach-folder-error').textContent()).toMatch(/is not under an import folder: labelled pictures are read only from /);

      await page.getByTestId('teach-folder').fill(data);
      await page.getByTestId('teach-look').click();
      await page.getByTestId('teach-labels').waitFor();
      expect(await page.getByTestId('teach-labels').textContent()).toMatch(/def_front200\d+.*ok_front200\d+/);
      // The defect label is guessed from its name; the technician can change it.
      expect(await page.getByTestId('reject-def_front').isChecked()).toBe(true);
      await page.getByTestId('teach-name').fill('castings-e2e');
      await page.getByTestId('teach-target').selectOption('0.9');
      const before = (await status(s.url)).frames.classified;
      await page.getByTestId('teach-start').click();

      // Progress: the phase in words, and the time so far.
      await page.getByTestId('teach-phase').waitFor();
      expect(await page.getByTestId('teach-time').textContent()).toMatch(/\d+ s so far/);
      await page.getByTestId('teach-done').waitFor({ timeout: 120_000 });
      expect(await page.getByTestId('teach-run').getAttribute('data-state')).toBe('done');
      const accuracy = Number((await page.getByTestId('teach-accuracy').textContent())!.replace(' %', ''));
      expect(accuracy).toBeGreaterThan(80);
      const cells = await page.getByTestId('teach-confusion').locator('tbody td').allTextContents();
      expect(cells.map(Number).reduce((a, b) => a + b, 0)).toBeGreaterThan(60);
      expect(await page.getByTestId('teach-calibrated').textContent()).toMatch(/Calibrated on \d+ defects and \d+ good pictures: reject ≥ [\d.]+/);
      await screenshot(page, 'teach-page', true);
      // The line kept deciding while the model was taught.
      expect((await status(s.url)).frames.classified).toBeGreaterThan(before);

      const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
      const models = db.prepare("SELECT name, imported_by FROM models WHERE name = 'castings-e2e'").all();
      const events = db.prepare("SELECT message FROM events WHERE kind = 'model' AND message LIKE '%taught castings-e2e%'").all();
      db.close();
      expect(models).toEqual([{ name: 'castings-e2e', imported_by: 'technician (browser 127.0.0.1)' }]);
      expect(events).toHaveLength(1);
      // Not active: the line still runs the model it ran.
      expect((await status(s.url)).model.name).toBe('demo-cherry');
      await page.getByTestId('tab-models').click();
      await page
        .getByTestId(/^model-castings-e2e-/)
        .first()
        .waitFor();
    } finally {
      await page.close();
      expect(await s.stop()).toBe(0);
    }
    expect(errors).toEqual([]);
  }, 240_000);

  it('calibrates the running model on a labelled folder, refuses too few defects, and applies the result through the audit trail', async () => {
    const stick = tempDir();
    const few = castingSubset(join(stick, 'few'), 30, 41, 'copy');
    const enough = castingSubset(join(stick, 'enough'), 100, 23, 'copy');
    const frames = readdirSync(join(CASTINGS, 'ok_front'))
      .sort()
      .slice(0, 20)
      .map((f) => join(CASTINGS, 'ok_front', f));
    const { station: s, dataDir } = await station({
      source: { kind: 'replay', files: frames, fps: 5 },
      model: { dir: CASTING_MODEL_DIR, importRoots: [stick] },
    });
    const { page, errors } = await watchedPage(browser());
    try {
      await page.goto(`${s.url}/#/thresholds`);
      // The model carries the calibration it was taught with.
      await page.getByTestId('calibration-guarantee').waitFor();
      expect(await page.getByTestId('calibration-summary').textContent()).toMatch(/casting-defect 1\.0\.0 .*carried in the model package/);
      await signInAsTechnician(page);

      await page.getByTestId('calibrate-open').click();
      await page.getByTestId('calibrate-folder').fill(few);
      await page.getByTestId('calibrate-run').click();
      await page.getByTestId('calibration-refused').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('calibration-refused').textContent()).toMatch(/30 defect pictures cannot show a recall of 0\.95 .* at least 59 are needed/);
      expect(await page.getByTestId('calibration-apply').isDisabled()).toBe(true);

      await page.getByTestId('calibrate-open').click();
      await page.getByTestId('calibrate-folder').fill(enough);
      await page.getByTestId('calibrate-run').click();
      await waitFor(
        'the new calibration shown',
        async () => (await page.getByTestId('calibration-summary').textContent())?.includes('100 defects and 100 good'),
        60_000,
      );
      const guarantee = (await page.getByTestId('calibration-guarantee').textContent())!;
      expect(guarantee).toMatch(/Proposed: reject ≥ [\d.]+, divert ≥ [\d.]+\. Defects rejected or diverted: at least 9\d\.\d %/);
      expect(await page.getByTestId('calibration-costs').textContent()).toMatch(/Defects missed, per 1,000 defects/);
      // The curves are drawn (uPlot: a canvas each).
      await page.getByTestId('curve-pr').locator('canvas').first().waitFor();
      await page.getByTestId('curve-roc').locator('canvas').first().waitFor();
      await screenshot(page, 'thresholds-calibration', true);

      await page.getByTestId('calibration-apply').click();
      const reason = page.getByTestId('reason-dialog');
      await reason.getByTestId('reason-input').fill('lot 7 calibration');
      await reason.getByTestId('reason-confirm').click();
      await page.getByTestId('applied').waitFor();

      const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
      const stored = db.prepare('SELECT model_name, actor, calibration_json FROM model_calibrations ORDER BY id').all() as {
        model_name: string;
        actor: string;
        calibration_json: string;
      }[];
      const audit = db.prepare("SELECT actor, subject, new_json, reason FROM audit WHERE subject = 'thresholds'").all() as {
        actor: string;
        new_json: string;
        reason: string;
      }[];
      db.close();
      expect(stored.map((r) => r.model_name)).toEqual(['casting-defect', 'casting-defect']);
      const calibration = JSON.parse(stored[1]!.calibration_json) as { thresholds: { reject: number; divert: number }; nDefect: number };
      expect(calibration.nDefect).toBe(100);
      expect(audit).toHaveLength(1);
      expect(audit[0]!.actor).toBe('technician (browser 127.0.0.1)');
      expect(JSON.parse(audit[0]!.new_json)).toEqual({ pit: calibration.thresholds.reject, maybe: calibration.thresholds.divert });
      expect(audit[0]!.reason).toMatch(
        /^calibration of .* on 100 defects and 100 good pictures: recall ≥ 9\d\.\d % at 95\.0 % confidence — lot 7 calibration$/,
      );
      expect((await status(s.url)).thresholds).toEqual({ pit: calibration.thresholds.reject, maybe: calibration.thresholds.divert });
    } finally {
      await page.close();
      expect(await s.stop()).toBe(0);
    }
    expect(errors).toEqual([]);
  }, 240_000);
});
