/**
 * End to end, the technician's work in Chromium against the real station:
 * a threshold change refused without the PIN and accepted with it, its
 * what-if count checked against the SQLite file, the change in the audit
 * trail; a model imported, activated and rolled back (to the configured
 * model too); a package that cannot go live labelled at import; the sign-in
 * lock-out counting down; every page rendered with no console error, and a
 * screenshot of each.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { decisionForScore, type Decision } from '../../src/shared/decision';
import type { StationStatus } from '../../src/shared/status';
import { writePackage } from '../fixtures/test-models';
import { useChromium } from '../helpers/browser';
import { screenshot, watchedPage } from '../helpers/e2e';
import { DEMO_MODEL_DIR } from '../helpers/paths';
import { shiftsAroundNow } from '../helpers/shifts';
import { startStationWithConfig, type RunningStation } from '../helpers/station-process';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

const status = async (url: string): Promise<StationStatus> => (await (await fetch(`${url}/api/status`)).json()) as StationStatus;

async function typePin(page: Page, pin: string): Promise<void> {
  const dialog = page.getByTestId('sign-in');
  await dialog.getByTestId('pin-clear').click();
  for (const digit of pin) await dialog.getByTestId(`pin-${digit}`).click();
  await dialog.getByTestId('sign-in-submit').click();
}

/** The demo model under a new version (same weights), as a package on a "USB stick". */
function demoVersion(dir: string, version: string): string {
  const manifest = JSON.parse(readFileSync(join(DEMO_MODEL_DIR, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  return writePackage(dir, { bytes: readFileSync(join(DEMO_MODEL_DIR, 'model.onnx')), manifest: { ...manifest, version } as never });
}

describe('technician pages in Chromium', () => {
  const tempDir = useTempDirs();
  const browser = useChromium();

  const station = (config: object): Promise<{ station: RunningStation; dataDir: string }> => startStationWithConfig(tempDir(), config);

  it('refuses a threshold change without the PIN, accepts it with one, and its what-if count is what the log says', async () => {
    // One shift a day that began hours ago: the History page's default filter (this shift) holds every row.
    // The config's thresholds, not the demo model's calibrated ones: round numbers the sliders reach by keyboard.
    const { station: s, dataDir } = await station({
      source: { kind: 'replay', fps: 40, loop: false, limit: 80 },
      shifts: shiftsAroundNow(),
      model: { thresholds: { pit: 0.75, maybe: 0.5 } },
    });
    const { page, errors } = await watchedPage(browser());
    try {
      await waitFor('the replay to run out and every row to be written', async () => {
        const st = await status(s.url);
        return (
          st.source.state === 'finished' && st.frames.classified + st.frames.errors + st.frames.dropped === st.frames.seen && st.database.pendingRows === 0
        );
      });
      await page.goto(`${s.url}/#/thresholds`);
      await page.getByTestId('whatif-changed').waitFor();
      expect(await page.getByTestId('whatif-changed').textContent()).toBe('0');

      // Maybe down to 0.05 with the keyboard (Home, then five steps of 0.01).
      const maybe = page.getByTestId('slider-maybe');
      await maybe.focus();
      await page.keyboard.press('Home');
      for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
      expect(await page.getByTestId('value-maybe').textContent()).toBe('0.05');
      const proposed = { pit: 0.75, maybe: 0.05 };

      const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
      const rows = db.prepare('SELECT reject_score, decision FROM inspections WHERE fail_safe_reason IS NULL').all() as {
        reject_score: number;
        decision: Decision;
      }[];
      const differ = rows.filter((r) => decisionForScore(r.reject_score, proposed) !== r.decision).length;
      db.close();
      expect(rows.length).toBeGreaterThan(60);
      expect(differ).toBeGreaterThan(0);
      expect(await page.getByTestId('whatif-items').textContent()).toBe(String(rows.length));
      expect(await page.getByTestId('whatif-changed').textContent()).toBe(String(differ));
      await screenshot(page, 'thresholds-page', true);

      // Refused without the PIN: on the wire…
      const onTheWire = await page.evaluate(
        ({ thresholds, host }) =>
          new Promise<unknown>((resolve) => {
            const ws = new WebSocket(`ws://${host}/ws`);
            ws.onopen = () => ws.send(JSON.stringify({ kind: 'request', id: 1, op: 'setThresholds', payload: { thresholds, reason: 'sneaky' } }));
            ws.onmessage = (m) => {
              const msg = JSON.parse(String(m.data)) as { kind: string; result?: unknown };
              if (msg.kind === 'reply') {
                ws.close();
                resolve(msg.result);
              }
            };
          }),
        { thresholds: proposed, host: new URL(s.url).host },
      );
      expect(onTheWire).toEqual({ ok: false, error: 'Changing the thresholds needs a technician: sign in with your PIN first' });
      // …and on the page, with a wrong PIN.
      await page.getByTestId('apply-thresholds').click();
      await typePin(page, '0000');
      expect(await page.getByTestId('sign-in-error').textContent()).toMatch(/^wrong PIN: 4 tries left/);
      expect((await status(s.url)).thresholds).toEqual({ pit: 0.75, maybe: 0.5 });

      await typePin(page, '1234');
      const reason = page.getByTestId('reason-dialog');
      await reason.getByTestId('reason-input').fill('calibrated on lot 12');
      await reason.getByTestId('reason-confirm').click();
      expect(await page.getByTestId('applied').textContent()).toBe('Applied: pit ≥ 0.75, maybe ≥ 0.05.');
      const after = await status(s.url);
      expect(after.thresholds).toEqual(proposed);
      expect(after.thresholdsSetBy).toMatchObject({ actor: 'technician (browser 127.0.0.1)', reason: 'calibrated on lot 12' });
      expect(await page.getByTestId('session').getAttribute('data-role')).toBe('technician');

      const audit = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
      expect(audit.prepare('SELECT actor, subject, old_json, new_json, reason FROM audit').all()).toEqual([
        {
          actor: 'technician (browser 127.0.0.1)',
          subject: 'thresholds',
          old_json: '{"pit":0.75,"maybe":0.5}',
          new_json: '{"pit":0.75,"maybe":0.05}',
          reason: 'calibrated on lot 12',
        },
      ]);
      audit.close();

      // The audit trail on the History page.
      await page.getByTestId('tab-history').click();
      const row = page.getByTestId('audit-row').first();
      await row.waitFor();
      expect(await row.textContent()).toMatch(/technician \(browser 127\.0\.0\.1\).*thresholds.*calibrated on lot 12/);
      // In words, not JSON.
      expect(await row.getByTestId('audit-was').textContent()).toBe('pit ≥ 0.75, maybe ≥ 0.50');
      expect(await row.getByTestId('audit-became').textContent()).toBe('pit ≥ 0.75, maybe ≥ 0.05');

      // The shift's inspections as a CSV file: every row of the log, once.
      await page.getByTestId('filter-pit').click();
      await waitFor('the pit filter applied', async () => Number((await page.getByTestId('history-total').textContent())?.split(' ')[0]) < 80);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
      const csv = parse(readFileSync((await download.path())!), { columns: true }) as Record<string, string>[];
      const pits = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
      const expected = (pits.prepare("SELECT seq FROM inspections WHERE decision = 'pit' ORDER BY seq").all() as { seq: number }[]).map((r) => String(r.seq));
      pits.close();
      expect(download.suggestedFilename()).toMatch(/^linesight-demo-station-inspections-.*\.csv$/);
      expect(csv.map((r) => r['seq'])).toEqual(expected);
      expect(csv.every((r) => r['decision'] === 'pit')).toBe(true);
      // The station, the thresholds each row was decided with, and no float of 16 digits (issue 12).
      expect(csv.every((r) => r['station_id'] === 'demo-station' && r['pit_threshold'] === '0.75' && r['maybe_threshold'] === '0.5')).toBe(true);
      expect(csv.every((r) => r['reject_score'] === '' || /^\d(\.\d{1,4})?$/.test(r['reject_score']!))).toBe(true);
      expect(csv.every((r) => /^\d+(\.\d{1,2})?$/.test(r['total_ms']!))).toBe(true);
      expect(await page.getByTestId('export-status').textContent()).toBe(`${expected.length} rows in ${download.suggestedFilename()}`);
    } finally {
      await page.close();
      expect(await s.stop()).toBe(0);
    }
    expect(errors).toEqual([]);
  });

  it('imports a model from a USB stick with its progress, activates it, and rolls back', async () => {
    const stick = tempDir();
    const v2 = demoVersion(join(stick, 'models', 'demo-cherry-2.0.0'), '2.0.0');
    const v21 = demoVersion(join(stick, 'models', 'demo-cherry-2.1.0'), '2.1.0');
    const { station: s, dataDir } = await station({ source: { kind: 'replay', fps: 10 }, model: { importRoots: [stick] } });
    const { page, errors } = await watchedPage(browser());
    try {
      await page.goto(`${s.url}/#/models`);
      await page.getByTestId('sign-in-open').click();
      await typePin(page, '1234');
      await waitFor('the technician signed in', async () => (await page.getByTestId('session').getAttribute('data-role')) === 'technician');

      await page.getByTestId('candidate-demo-cherry-2.0.0').getByRole('button', { name: 'Import…' }).click();
      await page.getByTestId('import-ok').waitFor({ timeout: 30_000 });
      for (const step of ['read', 'compare', 'trial-load', 'store']) expect(await page.getByTestId(`step-${step}`).getAttribute('data-state')).toBe('done');
      expect(await page.getByTestId('import-ok').textContent()).toMatch(/demo-cherry 2\.0\.0 imported \(trial load on cpu\)/);

      const activate = async (version: string): Promise<void> => {
        await page.getByTestId(`activate-demo-cherry-${version}`).click();
        await page.getByTestId('reason-dialog').getByText('Trial').click();
        await page.getByTestId('reason-confirm').click();
        await waitFor(
          `${version} active`,
          async () => (await page.getByTestId('models-message').textContent()) === `demo-cherry ${version} is active.`,
          30_000,
        );
      };
      await activate('2.0.0');

      await page.getByTestId('import-path').fill(v21);
      await page.getByTestId('import-start').click();
      await page
        .getByTestId('import-ok')
        .getByText(/2\.1\.0 imported/)
        .waitFor({ timeout: 30_000 });
      await activate('2.1.0');
      await waitFor('the page to show 2.1.0 running', async () => (await page.getByTestId('active-model').textContent())?.includes('2.1.0'));

      const rollback = page.getByTestId('rollback');
      await waitFor('the roll-back button to name 2.0.0', async () => (await rollback.textContent()) === 'Roll back to demo-cherry 2.0.0…');
      await rollback.click();
      await page.getByTestId('reason-dialog').getByText('Model misbehaving').click();
      await page.getByTestId('reason-confirm').click();
      await waitFor('2.0.0 active again', async () => (await page.getByTestId('models-message').textContent()) === 'demo-cherry 2.0.0 is active.', 30_000);
      expect((await status(s.url)).model).toMatchObject({ name: 'demo-cherry', version: '2.0.0', state: 'ready' });
      await waitFor('the registry to mark 2.0.0 active', async () =>
        (await page.getByTestId('model-demo-cherry-2.0.0').getAttribute('class'))?.includes('row-active'),
      );
      await screenshot(page, 'models-page', true);

      const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
      const history = db
        .prepare('SELECT m.version, a.action, a.actor, a.reason FROM model_activations a JOIN models m ON m.id = a.model_id ORDER BY a.seq')
        .all();
      db.close();
      expect(history).toEqual([
        { version: '2.0.0', action: 'activate', actor: 'technician (browser 127.0.0.1)', reason: 'Trial' },
        { version: '2.1.0', action: 'activate', actor: 'technician (browser 127.0.0.1)', reason: 'Trial' },
        { version: '2.0.0', action: 'rollback', actor: 'technician (browser 127.0.0.1)', reason: 'Model misbehaving' },
      ]);
      expect(v2).not.toBe(v21);
    } finally {
      await page.close();
      expect(await s.stop()).toBe(0);
    }
    expect(errors).toEqual([]);
  });

  it('rolls back from the first activation to the configured model: the status, the Models page and the log say so', async () => {
    const stick = tempDir();
    demoVersion(join(stick, 'models', 'demo-cherry-2.0.0'), '2.0.0');
    const { station: s, dataDir } = await station({ source: { kind: 'replay', fps: 10 }, model: { importRoots: [stick] } });
    const { page, errors } = await watchedPage(browser());
    try {
      await page.goto(`${s.url}/#/models`);
      // Before any activation the configured model runs, registered, and the way back is not there yet: it says why.
      const configuredId = (await status(s.url)).model.registryId;
      expect(configuredId).not.toBeNull();
      await page.getByTestId('running-configured').waitFor();
      expect(await page.getByTestId('rollback').isDisabled()).toBe(true);
      expect(await page.getByTestId('rollback-why').textContent()).toMatch(/^Nothing to roll back to: no other model has run on this station yet/);
      expect(await page.getByTestId('rollback').getAttribute('title')).toBe(await page.getByTestId('rollback-why').textContent());

      await page.getByTestId('sign-in-open').click();
      await typePin(page, '1234');
      await waitFor('the technician signed in', async () => (await page.getByTestId('session').getAttribute('data-role')) === 'technician');
      await page.getByTestId('candidate-demo-cherry-2.0.0').getByRole('button', { name: 'Import…' }).click();
      await page.getByTestId('import-ok').waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('import-ok').textContent()).toMatch(/demo-cherry 2\.0\.0 imported \(trial load on cpu\)\. Activate it below\./);
      await page.getByTestId('activate-demo-cherry-2.0.0').click();
      await page.getByTestId('reason-dialog').getByText('Trial').click();
      await page.getByTestId('reason-confirm').click();
      await waitFor('2.0.0 active', async () => (await page.getByTestId('models-message').textContent()) === 'demo-cherry 2.0.0 is active.', 30_000);

      const rollback = page.getByTestId('rollback');
      await waitFor(
        'the roll-back button to name the configured model',
        async () => (await rollback.textContent()) === 'Roll back to demo-cherry 1.0.1 (the configured model)…',
      );
      await rollback.click();
      await page.getByTestId('reason-dialog').getByText('Back to the known good model').click();
      await page.getByTestId('reason-confirm').click();
      await waitFor(
        'the configured model active again',
        async () => (await page.getByTestId('models-message').textContent()) === 'demo-cherry 1.0.1 (the configured model) is active.',
        30_000,
      );
      expect((await status(s.url)).model).toMatchObject({ name: 'demo-cherry', version: '1.0.1', registryId: configuredId, state: 'ready' });
      await waitFor('the page to show the configured model running', async () => (await page.getByTestId('active-model').textContent())?.includes('1.0.1'));
      await page.getByTestId('running-configured').waitFor();
      await waitFor('the registry to mark the configured model active', async () =>
        (await page.getByTestId('model-demo-cherry-1.0.1').getAttribute('class'))?.includes('row-active'),
      );
      expect(await page.getByTestId('model-demo-cherry-1.0.1').textContent()).toContain('configured');
      await screenshot(page, 'models-page-rolled-back', true);

      const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
      const history = db
        .prepare(
          'SELECT m.name, m.version, m.configured, a.action, a.actor, a.reason FROM model_activations a JOIN models m ON m.id = a.model_id ORDER BY a.seq',
        )
        .all();
      const audit = db.prepare("SELECT new_json FROM audit WHERE subject = 'model' ORDER BY seq").all() as { new_json: string }[];
      db.close();
      expect(history).toEqual([
        { name: 'demo-cherry', version: '2.0.0', configured: 0, action: 'activate', actor: 'technician (browser 127.0.0.1)', reason: 'Trial' },
        {
          name: 'demo-cherry',
          version: '1.0.1',
          configured: 1,
          action: 'rollback',
          actor: 'technician (browser 127.0.0.1)',
          reason: 'Back to the known good model',
        },
      ]);
      expect(audit.map((a) => (JSON.parse(a.new_json) as { version: string; action: string }).action)).toEqual(['activate', 'rollback']);
    } finally {
      await page.close();
      expect(await s.stop()).toBe(0);
    }
    expect(errors).toEqual([]);
  });

  it('labels a package that cannot go live at import, and its Activate button is off and says why', async () => {
    const stick = tempDir();
    const manifest = JSON.parse(readFileSync(join(DEMO_MODEL_DIR, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    const { rejectLabel: _rejectLabel, ...noReject } = manifest;
    writePackage(join(stick, 'models', 'no-reject'), {
      bytes: readFileSync(join(DEMO_MODEL_DIR, 'model.onnx')),
      manifest: { ...noReject, name: 'cherry-classes', version: '1.0.0' } as never,
    });
    const { station: s } = await station({ source: { kind: 'replay', fps: 10 }, model: { importRoots: [stick] } });
    const { page, errors } = await watchedPage(browser());
    const words = 'cannot drive the line: its manifest names no rejectLabel, the class that means reject';
    try {
      await page.goto(`${s.url}/#/models`);
      // Said before the import, in the list of packages found…
      await page.getByTestId('candidate-cherry-classes-1.0.0').waitFor();
      expect(await page.getByTestId('candidate-use-cherry-classes-1.0.0').textContent()).toBe(`⚠ C${words.slice(1)}`);
      await page.getByTestId('sign-in-open').click();
      await typePin(page, '1234');
      await waitFor('the technician signed in', async () => (await page.getByTestId('session').getAttribute('data-role')) === 'technician');
      await page.getByTestId('candidate-cherry-classes-1.0.0').getByRole('button', { name: 'Import…' }).click();
      // …at import, never "Activate it below"…
      await page.getByTestId('import-ok').waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('import-ok').textContent()).toBe(
        `cherry-classes 1.0.0 imported (trial load on cpu). It ${words}, so it cannot be activated.`,
      );
      // …and in the registry, where Activate is off and says why.
      const activate = page.getByTestId('activate-cherry-classes-1.0.0');
      await activate.waitFor();
      expect(await activate.isDisabled()).toBe(true);
      expect(await page.getByTestId('activate-why-cherry-classes-1.0.0').textContent()).toBe(`It ${words}.`);
      expect(await activate.getAttribute('title')).toBe(`It ${words}.`);
      expect(await page.getByTestId('use-cherry-classes-1.0.0').textContent()).toBe(`⚠ C${words.slice(1)}`);
      // No operation name anywhere on the page.
      expect(await page.getByTestId('page-models').textContent()).not.toMatch(/activateModel|importModel|failed:/);
      await screenshot(page, 'models-page-cannot-go-live', true);
      expect((await status(s.url)).model).toMatchObject({ name: 'demo-cherry', version: '1.0.1', state: 'ready' });
    } finally {
      await page.close();
      expect(await s.stop()).toBe(0);
    }
    expect(errors).toEqual([]);
  });

  it('counts the sign-in lock-out down each second with the PIN pad off, then lets the technician in', async () => {
    const { station: s } = await station({ source: { kind: 'replay', fps: 10 }, auth: { maxAttempts: 2, lockoutS: 4 } });
    const { page, errors } = await watchedPage(browser());
    try {
      await page.goto(`${s.url}/#/models`);
      await page.getByTestId('sign-in-open').click();
      await typePin(page, '0000');
      expect(await page.getByTestId('sign-in-error').textContent()).toMatch(/^wrong PIN: 1 try left/);
      await typePin(page, '0001');
      const locked = page.getByTestId('sign-in-locked');
      await locked.waitFor();
      expect(await locked.textContent()).toMatch(/^Sign-in for technician is locked after too many wrong PINs\. Try again in [1-4] s \(at .+\)\.$/);
      expect(await page.getByTestId('pin-1').isDisabled()).toBe(true);
      expect(await page.getByTestId('sign-in-submit').isDisabled()).toBe(true);
      // The countdown moves: every second it shows is seen once, going down.
      const seen: number[] = [];
      await waitFor(
        'the lock to run out',
        async () => {
          const left = await locked.getAttribute('data-seconds', { timeout: 200 }).catch(() => null);
          if (left === null) return true;
          if (seen.at(-1) !== Number(left)) seen.push(Number(left));
          return false;
        },
        10_000,
      );
      expect(seen.length).toBeGreaterThanOrEqual(3);
      expect(seen).toEqual([...seen].sort((a, b) => b - a));
      expect(seen.at(-1)).toBe(1);
      await waitFor('the PIN pad on again', async () => !(await page.getByTestId('pin-1').isDisabled()));
      await typePin(page, '1234');
      await waitFor('the technician signed in', async () => (await page.getByTestId('session').getAttribute('data-role')) === 'technician');
    } finally {
      await page.close();
      expect(await s.stop()).toBe(0);
    }
    expect(errors).toEqual([]);
  });

  it('renders every page with no console error, and saves a screenshot of each', async () => {
    const { station: s } = await station({ source: { kind: 'replay', fps: 10 } });
    const { page, errors } = await watchedPage(browser());
    try {
      await page.goto(s.url);
      await page.getByTestId('frame-image').waitFor({ timeout: 15_000 });
      // A few seconds of line, so the charts have a history to draw.
      await waitFor('five diagnostics samples', async () => (await status(s.url)).station.uptimeS >= 5);
      const pages: { tab: string; ready: string; shot: string; full?: boolean }[] = [
        { tab: 'thresholds', ready: 'score-histogram', shot: 'thresholds-page-live' },
        { tab: 'diagnostics', ready: 'chart-latency', shot: 'diagnostics-page' },
        { tab: 'history', ready: 'history-row', shot: 'history-page' },
        { tab: 'models', ready: 'import-panel', shot: 'models-page-empty' },
        { tab: 'recipes', ready: 'recipes-table', shot: 'recipes-page' },
        { tab: 'benchmark', ready: 'plan-form', shot: 'benchmark-plan' },
        { tab: 'live', ready: 'frame-image', shot: 'live-page-again' },
      ];
      for (const p of pages) {
        await page.getByTestId(`tab-${p.tab}`).click();
        await page.getByTestId(`page-${p.tab}`).waitFor();
        await page.getByTestId(p.ready).first().waitFor({ timeout: 15_000 });
        if (p.tab === 'diagnostics') {
          // uPlot draws on a canvas once it has data.
          await page.locator('[data-testid="chart-latency"] canvas').waitFor();
          expect(await page.getByTestId('diag-provider').textContent()).toBe('CPU');
          expect(Number(await page.getByTestId('latency-total').locator('td').nth(1).textContent())).toBeGreaterThan(0);
        }
        if (p.tab === 'history') {
          // A kept 128 × 128 picture: at most twice its size, never blown up to the dialog's width (issue 12).
          await page
            .getByTestId('history-row')
            .filter({ has: page.getByRole('img', { name: 'image kept' }) })
            .first()
            .click();
          await page.getByTestId('inspection-detail').waitFor();
          const size = page.getByTestId('history-image-size');
          await size.waitFor();
          expect(await size.textContent()).toMatch(/^128 × 128 px as kept(, shown at (1\.\d|2\.0)×)?$/);
          const shown = await page.getByTestId('history-image').evaluate((img) => (img as unknown as { width: number }).width);
          expect(shown).toBeGreaterThanOrEqual(128);
          expect(shown).toBeLessThanOrEqual(256);
          await screenshot(page, 'history-item', false);
          await page.keyboard.press('Escape');
        }
        await screenshot(page, p.shot, p.full ?? false);
        // Gloves: every control on the page is at least 44 px each way.
        const small = await page.evaluate(() => {
          // Runs in the page; the node type-check has no DOM types, so the little it uses is spelt out.
          interface El {
            tagName: string;
            textContent: string | null;
            getBoundingClientRect(): { width: number; height: number };
          }
          const doc = (globalThis as unknown as { document: { querySelectorAll(selector: string): ArrayLike<El> } }).document;
          return Array.from(doc.querySelectorAll('button, a[href], input, textarea, select, [role="radio"], [role="checkbox"], tr.clickable'))
            .map((el) => ({ el, box: el.getBoundingClientRect() }))
            .filter(({ box }) => box.width > 0 && box.height > 0 && (box.height < 44 || box.width < 44))
            .map(
              ({ el, box }) => `${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 30)}" ${Math.round(box.width)}×${Math.round(box.height)}`,
            );
        });
        expect(small, `controls under 44 px on the ${p.tab} page`).toEqual([]);
      }
    } finally {
      await page.close();
      expect(await s.stop()).toBe(0);
    }
    expect(errors).toEqual([]);
  });
});
