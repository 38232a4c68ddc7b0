/**
 * A shadow trial on the real station (issue 16): a registered candidate sees the demo line's frames beside the live
 * model and never actuates (the log holds the live model's rows only, each once); its figures, every disagreement's
 * frame kept as a capture, the end after its items, promotion (audited, the line switched, the trial's thresholds
 * applied) and discard.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { ShadowTrial } from '../../../src/shared/shadow';
import { useRunningEngines } from '../../helpers/engine';
import { DEMO_MODEL_DIR, DEMO_THRESHOLDS } from '../../helpers/paths';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from '../../helpers/wait';

describe('a shadow trial on the station', () => {
  const tempDir = useTempDirs();
  const engines = useRunningEngines();

  /** The demo model as another version on a stick, with its own thresholds. */
  function candidate(stick: string, version: string, thresholds: { pit: number; maybe: number }): string {
    const dir = join(stick, `demo-${version}`);
    cpSync(DEMO_MODEL_DIR, dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    delete manifest['calibration'];
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, version, thresholds }));
    return dir;
  }

  it('compares a stricter candidate item by item, keeps each disagreement, ends after its items, and is promoted with its thresholds', async () => {
    const stick = tempDir();
    const dataDir = tempDir();
    const engine = await engines.start(dataDir, { source: { kind: 'replay', fps: 25 }, sensors: { sources: [] }, model: { importRoots: [stick] } });
    // Stricter: it diverts and rejects good cherries the live model passes.
    const strict = { pit: 0.3, maybe: 0.1 };
    const imported = await engine.importModel(candidate(stick, '2.0.0', strict), 'tech');
    const shown: ShadowTrial[] = [];
    engine.on('shadowProgress', (t) => shown.push(t));
    const started = await engine.shadow.start({ modelId: imported.model.id, items: 80, minutes: 10, share: 1 }, 'tech (test)');
    expect(started).toMatchObject({ state: 'running', candidate: { version: '2.0.0' }, live: { name: 'demo-cherry' }, thresholds: strict });
    await expect(engine.shadow.start({ modelId: imported.model.id, items: 80, minutes: 10, share: 1 }, 'tech')).rejects.toThrow(/already running/);
    const ended = await waitFor(
      'the trial to end',
      () => {
        const t = engine.shadow.current();
        return t?.state === 'finished' ? t : null;
      },
      60_000,
    );
    const f = ended.figures;
    expect(ended.endedBecause).toBe('80 items compared');
    expect(f.compared).toBeGreaterThanOrEqual(80);
    expect(f.offered).toBeLessThanOrEqual(f.seen);
    expect(f.candidateRejectsLivePasses.count).toBeGreaterThan(0);
    // The stricter model never passes what the live model held back.
    expect(f.liveRejectsCandidatePasses.count).toBe(0);
    expect(f.liveRejectsCandidatePasses.high).toBeGreaterThan(0);
    for (const r of [f.agreement, f.candidateRejectsLivePasses]) {
      expect(r.low).toBeLessThanOrEqual(r.rate);
      expect(r.high).toBeGreaterThanOrEqual(r.rate);
    }
    expect(f.kappa).not.toBeNull();
    expect(f.matrix.flat().reduce((a, b) => a + b, 0)).toBe(f.compared);
    expect(shown.some((t) => t.state === 'running') && shown.at(-1)!.state === 'finished').toBe(true);

    // Every disagreement's frame, kept for review with both decisions and scores.
    await waitFor('the disagreements kept', () => engine.captures.list({ trialId: ended.id, labelled: 'any' }, 500).length >= 1);
    const kept = engine.captures.list({ trialId: ended.id, labelled: 'any' }, 500);
    const disagreements = f.compared - f.agreement.count;
    expect(kept.length).toBe(disagreements);
    for (const c of kept) {
      expect(c.reason).toBe('disagreement');
      expect(c.candidate!.decision).not.toBe(c.decision);
      expect(c.candidate!.score).toBeCloseTo(c.rejectScore!, 5);
      expect((await engine.captures.image(c.id))!.length).toBeGreaterThan(100);
    }

    // Promoted: the line switches to it, with the thresholds it was tried with; both audited with the technician's name.
    expect(() => engine.shadow.discard(ended.id + 1, 'tech', 'x')).toThrow(/no shadow trial/);
    const record = await engine.shadow.promote(ended.id, 'tech (test)', 'stricter on stalks');
    expect(record.version).toBe('2.0.0');
    expect(engine.getStatus().model.version).toBe('2.0.0');
    expect(engine.getStatus().thresholds).toEqual(strict);
    const audit = engine.auditTrail(10);
    expect(audit.find((a) => a.subject === 'shadow' && (a.new as { action: string }).action === 'promote')).toMatchObject({
      actor: 'tech (test)',
      reason: 'stricter on stalks',
    });
    expect(audit.find((a) => a.subject === 'model')!.reason).toMatch(/^promoted after shadow trial \d+: \d+ items compared, agreement [\d.]+ %/);
    expect(engine.shadow.current()).toMatchObject({ state: 'promoted', decidedBy: 'tech (test)' });
    await expect(engine.shadow.promote(ended.id, 'tech', 'again')).rejects.toThrow(/already promoted/);

    // Never actuated: every logged row is the live model's, each frame once.
    await engine.stop();
    const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT frame_id, model_version FROM inspections').all() as { frame_id: number; model_version: string }[];
    db.close();
    expect(new Set(rows.map((r) => r.frame_id)).size).toBe(rows.length);
    expect(rows.filter((r) => r.model_version === '2.0.0').length).toBeLessThan(rows.length);
  }, 180_000);

  it('runs a share of the frames, agrees with an identical candidate, and discards it on the record', async () => {
    const stick = tempDir();
    const engine = await engines.start(tempDir(), { source: { kind: 'replay', fps: 25 }, sensors: { sources: [] }, model: { importRoots: [stick] } });
    const same = await engine.importModel(candidate(stick, '1.0.9', DEMO_THRESHOLDS), 'tech');
    const trial = await engine.shadow.start({ modelId: same.model.id, items: 30, minutes: 10, share: 0.5 }, 'tech');
    const ended = await waitFor('the trial to end', () => (engine.shadow.current()?.state === 'finished' ? engine.shadow.current() : null), 60_000);
    expect(ended!.id).toBe(trial.id);
    const f = ended!.figures;
    expect(f.agreement.rate).toBe(1);
    expect(f.kappa).toBe(1);
    // Half the frames at most, by a steady credit.
    expect(f.offered).toBeLessThanOrEqual(Math.ceil(f.seen / 2) + 1);
    expect(f.offered).toBeGreaterThanOrEqual(30);
    const discarded = engine.shadow.discard(trial.id, 'tech (test)', 'no better than the running model');
    expect(discarded).toMatchObject({ state: 'discarded', decidedBy: 'tech (test)', decidedReason: 'no better than the running model' });
    expect(engine.auditTrail(1)[0]).toMatchObject({ subject: 'shadow', actor: 'tech (test)', new: { action: 'discard', trial: trial.id } });
    expect(engine.getStatus().model.version).not.toBe('1.0.9');
    expect(existsSync(stick)).toBe(true);
  }, 120_000);

  it('refuses a trial of the running model and of a model not in the registry', async () => {
    const engine = await engines.start(tempDir(), { source: { kind: 'replay', fps: 10 }, sensors: { sources: [] } });
    await expect(engine.shadow.start({ modelId: 99, items: 10, minutes: 1, share: 1 }, 'tech')).rejects.toThrow(/no model with id 99/);
    // The refusal is on the record, with its words.
    expect(engine.auditTrail(1)[0]).toMatchObject({
      subject: 'shadow',
      actor: 'tech',
      new: { action: 'refused', modelId: 99 },
      reason: expect.stringMatching(/no model with id 99/) as string,
    });
    await expect(engine.shadow.stop('tech')).rejects.toThrow(/no shadow trial is running/);
  }, 60_000);
});
