/**
 * The loop back to teaching, end to end in Chromium against the real station (issue 16), on the castings replayed
 * as a camera: items are captured as they pass; people label them in the UI (the captures on the Teach page, the
 * reject strip, History); a candidate is taught on the labelled captures, calibrated on a labelled folder, run as a
 * shadow beside the live casting model, and promoted — every step in the audit trail and the database.
 */
import { readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { StationStatus } from '../../src/shared/status';
import { useChromium } from '../helpers/browser';
import { CASTING_MODEL_DIR, CASTINGS, castingSubset } from '../helpers/castings';
import { screenshot, signInAsTechnician, watchedPage } from '../helpers/e2e';
import { startStationWithConfig } from '../helpers/station-process';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

const status = async (url: string): Promise<StationStatus> => (await (await fetch(`${url}/api/status`)).json()) as StationStatus;

/** 70 defective and 70 good castings, alternating in threes (the camera's order). */
function cameraFiles(): string[] {
  const of = (label: string): string[] =>
    readdirSync(join(CASTINGS, label))
      .sort()
      .filter((_, i) => i % 11 === 3)
      .slice(0, 70)
      .map((f) => join(CASTINGS, label, f));
  const [def, ok] = [of('def_front'), of('ok_front')];
  const files: string[] = [];
  for (let i = 0; i < 70; i += 3) files.push(...def.slice(i, i + 3), ...ok.slice(i, i + 3));
  return files;
}

describe('capture, label, teach, calibrate, shadow, promote in Chromium', () => {
  const tempDir = useTempDirs();
  const browser = useChromium();

  it('takes a candidate from the line’s own captures to the line', async () => {
    const stick = tempDir();
    // Named as the candidate will name its labels (taught on the captures: defective and good).
    const calibrationSet = castingSubset(join(stick, 'calibration'), 100, 13, 'copy');
    renameSync(join(calibrationSet, 'def_front'), join(calibrationSet, 'defective'));
    renameSync(join(calibrationSet, 'ok_front'), join(calibrationSet, 'good'));
    const files = cameraFiles();
    const { station: s, dataDir } = await startStationWithConfig(tempDir(), {
      source: { kind: 'replay', files, fps: 20, loop: true, frozenFrames: 0 },
      model: { dir: CASTING_MODEL_DIR, importRoots: [stick] },
      sensors: { sources: [] },
      // The first pass of the camera is captured whole: every item, then nothing more (the cap).
      capture: { randomShare: 1, randomPerHour: 1000, maybePerHour: 1000, maxCaptures: files.length },
    });
    const truth = (frameId: number): 'good' | 'defective' => (files[(frameId - 1) % files.length]!.includes('def_front') ? 'defective' : 'good');
    const { page, errors } = await watchedPage(browser());
    try {
      // 1. Capture: the first pass is kept with its scores.
      await waitFor('the first pass decided', async () => (await status(s.url)).frames.classified > files.length + 10, 60_000);

      // 2. Label from the reject strip (an operator: no sign-in needed) …
      await page.goto(`${s.url}/#/live`);
      const thumb = page.getByTestId('reject-thumb').first();
      const rejected = Number((await thumb.getAttribute('aria-label'))!.replace(/\D+/g, ''));
      await thumb.click();
      const enlarged = page.getByTestId('reject-enlarged');
      await enlarged.getByTestId(`label-${truth(rejected)}`).click();
      await enlarged.getByTestId('label-saved').waitFor();
      await page.keyboard.press('Escape');

      // … and from History (a reject: its picture was kept), as what it really is.
      await page.goto(`${s.url}/#/history`);
      await page.getByTestId('filter-pit').click();
      await page.getByTestId('history-row').first().waitFor();
      const frameId = Number((await page.getByTestId('history-item').first().getAttribute('title'))!.replace(/\D+/g, ''));
      await page.getByTestId('history-row').first().click();
      const detail = page.getByTestId('inspection-detail');
      await detail.getByTestId(`label-${truth(frameId)}`).click();
      await detail.getByTestId('label-saved').waitFor();
      await page.keyboard.press('Escape');

      // … and the captures on the Teach page, each as what it really is.
      await page.goto(`${s.url}/#/teach`);
      await signInAsTechnician(page);
      const panel = page.getByTestId('captures-panel');
      for (let round = 0; round < 10; round++) {
        const cards = panel.getByTestId('capture-card');
        await panel.getByTestId('captures-summary').waitFor();
        const n = await cards.count();
        if (n === 0) break;
        for (let i = 0; i < n; i++) {
          const card = cards.nth(i);
          if ((await card.getAttribute('data-label')) !== '') continue;
          const frameId = Number(await card.getAttribute('data-frame-id'));
          await card.getByTestId(`label-${truth(frameId)}`).click();
          await card.getByTestId('label-saved').waitFor();
        }
        await panel.getByRole('button', { name: 'Show the ones still unlabelled' }).click();
        await page.waitForTimeout(300);
      }
      const labelled = (await panel.getByTestId('captures-labelled').textContent())!;
      const [good, defective] = labelled.match(/\d+/g)!.map(Number);
      expect(good! + defective!).toBeGreaterThanOrEqual(files.length);
      await screenshot(page, 'teach-captures', true);

      // 3. Teach a candidate on the labelled captures.
      await panel.getByTestId('captures-use').click();
      await page.getByTestId('teach-look').click();
      await page.getByTestId('teach-labels').waitFor();
      expect(await page.getByTestId('reject-defective').isChecked()).toBe(true);
      await page.getByTestId('teach-name').fill('castings-loop');
      await page.getByTestId('teach-start').click();
      await page.getByTestId('teach-done').waitFor({ timeout: 180_000 });

      // 4. Calibrate the candidate on a labelled folder from the stick (the running model is left as it is).
      await page.goto(`${s.url}/#/thresholds`);
      await page.getByTestId('calibrate-open').click();
      await page.getByTestId('calibrate-folder').fill(calibrationSet);
      const candidateOption = page.getByTestId('calibrate-model').locator('option', { hasText: 'castings-loop' });
      await candidateOption.waitFor({ state: 'attached' });
      await page.getByTestId('calibrate-model').selectOption((await candidateOption.getAttribute('value'))!);
      await page.getByTestId('calibrate-run').click();
      await page.locator('[data-testid="calibrate-candidate-done"], [data-testid="calibrate-error"]').first().waitFor({ timeout: 120_000 });
      expect(await page.getByTestId('calibrate-error').count()).toBe(0);
      expect(await page.getByTestId('calibrate-candidate-done').textContent()).toMatch(/^castings-loop \S+: reject ≥ [\d.]+, divert ≥ [\d.]+, stored with it/);
      expect((await status(s.url)).model.name).toBe('casting-defect');

      // 5. A shadow trial beside the live model, then promote it.
      await page.goto(`${s.url}/#/models`);
      const shadow = page.getByTestId('shadow-panel');
      const option = shadow.getByTestId('shadow-candidate').locator('option', { hasText: 'castings-loop' });
      await shadow.getByTestId('shadow-candidate').selectOption((await option.getAttribute('value'))!);
      await shadow.getByTestId('shadow-items').fill('60');
      await shadow.getByTestId('shadow-start').click();
      await waitFor('the trial to finish', async () => (await shadow.getByTestId('shadow-state').textContent())?.startsWith('finished'), 120_000);
      expect(await shadow.getByTestId('shadow-agreement').textContent()).toMatch(/^\d+ \([\d.]+ %; 95 %: [\d.]+ %–[\d.]+ %\)$/);
      expect(await shadow.getByTestId('shadow-kappa').textContent()).toMatch(/^-?[\d.]+$|^–$/);
      // Every disagreement's frame is there to review (and label), whatever the captures' cap.
      const agreed = Number((await shadow.getByTestId('shadow-agreement').textContent())!.split(' ')[0]);
      if (agreed < 60) await shadow.getByTestId('shadow-disagreement').first().waitFor();
      await screenshot(page, 'models-shadow-trial', true);
      await shadow.getByTestId('shadow-promote').click();
      const reason = page.getByTestId('reason-dialog');
      await reason.getByTestId('reason-input').fill('earned the line on the castings');
      await reason.getByTestId('reason-confirm').click();
      await waitFor('the candidate on the line', async () => (await status(s.url)).model.name === 'castings-loop', 60_000);
      await waitFor('the trial promoted', async () => (await shadow.getByTestId('shadow-state').textContent()) === 'promoted');
    } finally {
      await page.close();
      expect(await s.stop()).toBe(0);
    }
    expect(errors).toEqual([]);

    // Every step in the database and the audit trail.
    const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
    const rows = <T>(sql: string): T[] => db.prepare(sql).all() as T[];
    const captures = rows<{ reason: string; label: string | null }>('SELECT reason, label FROM captures');
    const labels = rows<{ actor: string; n: number }>("SELECT actor, COUNT(*) AS n FROM audit WHERE subject = 'label' GROUP BY actor");
    const shadowAudit = rows<{ actor: string; new_json: string; reason: string | null }>(
      "SELECT actor, new_json, reason FROM audit WHERE subject = 'shadow' ORDER BY seq",
    );
    const modelAudit = rows<{ reason: string }>("SELECT reason FROM audit WHERE subject = 'model' ORDER BY seq DESC LIMIT 1");
    const trials = rows<{ state: string; decided_by: string }>('SELECT state, decided_by FROM shadow_trials');
    const figures = rows<{ figures_json: string }>('SELECT figures_json FROM shadow_trials').map(
      (r) => JSON.parse(r.figures_json) as { compared: number; agreement: { count: number } },
    )[0]!;
    const calibrations = rows<{ model_name: string }>("SELECT model_name FROM model_calibrations WHERE model_name = 'castings-loop'");
    const taught = rows<{ message: string }>("SELECT message FROM events WHERE message LIKE '%taught castings-loop%'");
    db.close();
    expect(captures.filter((c) => c.reason === 'random' || c.reason === 'maybe').length).toBe(files.length);
    expect(captures.filter((c) => c.label !== null).length).toBeGreaterThanOrEqual(files.length);
    // The operator's label from the reject strip, the technician's from the Teach page: each under their own name.
    expect(labels.map((l) => l.actor).sort()).toEqual(expect.arrayContaining(['operator (browser 127.0.0.1)', 'technician (browser 127.0.0.1)']));
    expect(shadowAudit.map((a) => (JSON.parse(a.new_json) as { action: string }).action)).toEqual(['start', 'promote']);
    expect(shadowAudit[1]).toMatchObject({ actor: 'technician (browser 127.0.0.1)', reason: 'earned the line on the castings' });
    expect(modelAudit[0]!.reason).toMatch(/^promoted after shadow trial 1: \d+ items compared/);
    expect(trials).toEqual([{ state: 'promoted', decided_by: 'technician (browser 127.0.0.1)' }]);
    // Every disagreement of the trial kept with its frame.
    expect(captures.filter((c) => c.reason === 'disagreement').length).toBe(figures.compared - figures.agreement.count);
    expect(calibrations.length).toBeGreaterThanOrEqual(1);
    expect(taught).toHaveLength(1);
  }, 480_000);
});
