/**
 * What the UI asks of a running engine (real model, real SQLite, real
 * workers): thresholds kept across a restart, shift counts that survive one,
 * the what-if sample against the rows in the file, rejects with their frames,
 * a sample a second for the charts, import progress, sign-ins in the log.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { ImportProgress } from '../../src/shared/models';
import type { StationEngine } from '../../src/engine/station-engine';
import { writePackage } from '../fixtures/test-models';
import { shiftsAroundNow } from '../helpers/shifts';
import { useRunningEngines } from '../helpers/engine';
import { DEMO_MODEL_DIR } from '../helpers/paths';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

const SHIFTS = shiftsAroundNow();
const FINITE = (limit: number) => ({ source: { kind: 'replay' as const, fps: 60, loop: false, limit }, shifts: SHIFTS });
const decided = (e: StationEngine): number => {
  const d = e.getStatus().decisions;
  return d.clean + d.maybe + d.pit;
};

describe('the engine behind the UI', () => {
  const tempDir = useTempDirs();
  const { start, running } = useRunningEngines();

  it("keeps a technician's thresholds and the shift's counts across a restart", async () => {
    const dataDir = tempDir();
    let engine = await start(dataDir, FINITE(20));
    await waitFor('20 decisions', () => decided(engine) === 20);
    const before = engine.getStatus();
    expect(before.thresholdsSetBy).toBeNull();
    engine.setThresholds({ pit: 0.6, maybe: 0.3 }, 'ana (desktop)', 'lot 7 pits');
    await engine.stop();
    running.length = 0;

    engine = await start(dataDir, FINITE(5));
    const after = engine.getStatus();
    expect(after.thresholds).toEqual({ pit: 0.6, maybe: 0.3 });
    expect(after.thresholdsSetBy).toMatchObject({ actor: 'ana (desktop)', reason: 'lot 7 pits' });
    // The shift started before the first run: its counts include the first run's 20 items.
    expect(after.shift.decisions).toEqual(before.shift.decisions);
    await waitFor('5 more decisions', () => decided(engine) === 5);
    const { shift, lastHour } = engine.getStatus();
    expect(shift.decisions.clean + shift.decisions.maybe + shift.decisions.pit).toBe(25);
    expect(lastHour.decisions).toEqual(shift.decisions);
    const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
    expect(db.prepare("SELECT value_json, updated_by FROM settings WHERE key = 'thresholds'").get()).toEqual({
      value_json: '{"pit":0.6,"maybe":0.3}',
      updated_by: 'ana (desktop)',
    });
    expect(db.prepare("SELECT COUNT(*) AS n FROM audit WHERE subject = 'thresholds'").get()).toEqual({ n: 1 });
    db.close();
  });

  it('gives the what-if the scores in the log, the rejects with their frames, and a sample a second', async () => {
    const dataDir = tempDir();
    const engine = await start(dataDir, FINITE(40));
    const samples: number[] = [];
    engine.on('sample', (s) => samples.push(s.at));
    await waitFor('40 decisions', () => decided(engine) === 40);
    const sample = await engine.scoreSample({ last: 1000 });
    const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT reject_score, decision FROM inspections WHERE fail_safe_reason IS NULL ORDER BY seq').all() as {
      reject_score: number;
      decision: string;
    }[];
    db.close();
    expect(sample.scores).toEqual(rows.map((r) => r.reject_score));
    expect(sample.decisions).toEqual(rows.map((r) => r.decision));
    expect(sample.model).toEqual({ name: 'demo-cherry', version: engine.getStatus().model.version });

    const rejects = engine.getRecentRejects(50);
    expect(rejects.length).toBe(engine.getStatus().decisions.pit);
    expect(rejects.every((r) => r.decision === 'pit')).toBe(true);
    expect(engine.getFrameImage(rejects.at(-1)!.frameId)?.[0]).toBe(0xff);

    await waitFor('two samples for the charts', () => samples.length >= 2);
    const history = engine.diagnosticsHistory();
    expect(history.length).toBeGreaterThanOrEqual(2);
    expect(Math.abs(history.at(-1)!.at - Date.now())).toBeLessThan(5000);
    expect(history.reduce((n, s) => n + (s.latencyMs.total?.count ?? 0), 0)).toBeGreaterThan(0);
    expect(history.at(-1)!.machine?.channels).toHaveProperty('vibration_g');
  });

  it('announces each step of an import, and the step where a bad model was refused', async () => {
    const stick = tempDir();
    const engine = await start(tempDir(), { ...FINITE(5), model: { importRoots: [stick] } });
    const steps: ImportProgress[] = [];
    engine.on('importProgress', (p) => steps.push(p));
    const manifest = JSON.parse(readFileSync(join(DEMO_MODEL_DIR, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    const good = writePackage(join(stick, 'good'), {
      bytes: readFileSync(join(DEMO_MODEL_DIR, 'model.onnx')),
      manifest: { ...manifest, version: '7.0.0' } as never,
    });
    await engine.importModel(good, 'ana (desktop)', 'task-1');
    expect(steps.map((s) => `${s.step}:${s.state}`)).toEqual(['read:running', 'compare:running', 'trial-load:running', 'store:running', 'store:done']);
    expect(steps.every((s) => s.taskId === 'task-1' && s.steps === 4)).toBe(true);

    steps.length = 0;
    // The manifest vouches for the bytes (so reading passes); ONNX Runtime cannot run them.
    const junk = new Uint8Array([1, 2, 3]);
    const bad = writePackage(join(stick, 'bad'), {
      bytes: junk,
      manifest: { ...manifest, version: '7.0.1', sha256: createHash('sha256').update(junk).digest('hex') } as never,
    });
    await expect(engine.importModel(bad, 'ana (desktop)', 'task-2')).rejects.toThrow();
    expect(steps.at(-1)).toMatchObject({ step: 'trial-load', state: 'failed' });
  });

  it('writes sign-ins, wrong PINs and sign-outs to the event log', async () => {
    const engine = await start(tempDir(), { ...FINITE(5), auth: { maxAttempts: 2, lockoutS: 60 } });
    const session = engine.sessions.open('websocket', '10.2.3.4');
    await expect(session.signIn('technician', '9999')).rejects.toThrow(/wrong PIN/);
    await session.signIn('technician', '1234');
    session.close();
    const messages = engine
      .recentEvents(10)
      .filter((e) => e.kind === 'auth')
      .map((e) => e.message)
      .reverse();
    expect(messages).toEqual([
      'wrong PIN for technician (10.2.3.4)',
      'technician (browser 10.2.3.4) signed in',
      'technician (browser 10.2.3.4) signed out: the connection closed',
    ]);
  });
});
