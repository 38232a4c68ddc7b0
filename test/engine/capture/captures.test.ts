/**
 * Back to teaching (issue 16), on the real station: items captured as they pass under their quotas, with their
 * pictures on disk; labels from people on a live frame, a logged item and a capture, each audited under the
 * person's name; the labelled captures as a labelled folder that Teach and Calibrate read, and its export.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CALIBRATION_OPTIONS } from '../../../src/shared/calibration';
import { readLabelledFolder } from '../../../src/engine/labelled/labelled-folder';
import { useRunningEngines } from '../../helpers/engine';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from '../../helpers/wait';

describe('captures and labels on the station', () => {
  const tempDir = useTempDirs();
  const engines = useRunningEngines();

  it('keeps maybe-band items and a random sample under their hourly quotas, each with its picture, and counts what it passed over', async () => {
    const dataDir = tempDir();
    const engine = await engines.start(dataDir, {
      source: { kind: 'replay', fps: 40 },
      sensors: { sources: [] },
      capture: { randomShare: 1, randomPerHour: 5, maybePerHour: 3 },
    });
    await waitFor('100 items decided', () => engine.getStatus().frames.classified >= 100, 30_000);
    await waitFor('the captures written', () => (engine.captures.summary().byReason['random'] ?? 0) === 5);
    const summary = engine.captures.summary();
    expect(summary.byReason['random']).toBe(5);
    expect(summary.byReason['maybe'] ?? 0).toBeLessThanOrEqual(3);
    expect(summary.passedOver['random']).toBeGreaterThan(50);
    const all = engine.captures.list({ labelled: 'any' }, 100);
    for (const c of all) {
      expect(c.rejectScore).not.toBeNull();
      expect(c.model.name).toBe('demo-cherry');
      if (c.reason === 'maybe') expect(c.decision).toBe('maybe');
      expect((await engine.captures.image(c.id))!.subarray(0, 3)).toEqual(new Uint8Array([0xff, 0xd8, 0xff]));
    }
  }, 60_000);

  it('takes labels on a live frame, a logged item and a capture, audits each under its person, and keeps the labelled folder', async () => {
    const dataDir = tempDir();
    const stick = tempDir();
    const engine = await engines.start(dataDir, {
      source: { kind: 'replay', fps: 20 },
      sensors: { sources: [] },
      model: { importRoots: [stick] },
      capture: { randomShare: 1, randomPerHour: 4, maybePerHour: 0 },
    });
    await waitFor('a reject on the strip', () => engine.getRecentRejects(1)[0], 30_000);
    const reject = engine.getRecentRejects(1)[0]!;
    const live = await engine.captures.label({ kind: 'frame', frameId: reject.frameId }, 'defective', 'operator (browser 10.0.0.7)');
    expect(live).toMatchObject({ frameId: reject.frameId, decision: 'pit', label: 'defective', labelledBy: 'operator (browser 10.0.0.7)' });
    // A person's capture, or the random sample's when the station had kept this item already.
    expect(['person', 'random']).toContain(live.reason);
    // Said again on the same frame: the same capture, never a second copy.
    expect((await engine.captures.label({ kind: 'frame', frameId: reject.frameId }, 'defective', 'operator (browser 10.0.0.7)')).id).toBe(live.id);

    const page = await engine.queryInspections({ decisions: ['pit'] }, 5, undefined);
    const logged = page.rows.find((r) => r.hasImage)!;
    const fromHistory = await engine.captures.label({ kind: 'inspection', seq: logged.seq }, 'good', 'anna (desktop)');
    expect(fromHistory).toMatchObject({ inspectionSeq: logged.seq, label: 'good' });
    // The same logged item again: the same capture, its label changed, never a second copy.
    const again = await engine.captures.label({ kind: 'inspection', seq: logged.seq }, 'defective', 'anna (desktop)');
    expect(again.id).toBe(fromHistory.id);
    expect(again.label).toBe('defective');

    await waitFor('a random capture', () => engine.captures.list({ reason: 'random', labelled: 'no' }, 1)[0]);
    const sampled = engine.captures.list({ reason: 'random', labelled: 'no' }, 1)[0]!;
    await engine.captures.label({ kind: 'capture', id: sampled.id }, 'good', 'anna (desktop)');

    // Refused in words: a frame no longer in memory, an item never logged, a capture that is not there.
    await expect(engine.captures.label({ kind: 'frame', frameId: 10_000_000 }, 'good', 'x')).rejects.toThrow(
      /no longer in the live view's memory: label it in History/,
    );
    await expect(engine.captures.label({ kind: 'inspection', seq: 10_000_000 }, 'good', 'x')).rejects.toThrow(/there is no item 10000000 in the log/);
    await expect(engine.captures.label({ kind: 'capture', id: 10_000_000 }, 'good', 'x')).rejects.toThrow(/there is no capture 10000000/);

    const summary = engine.captures.summary();
    expect(summary.labelled).toEqual({ good: 1, defective: 2 });
    expect(summary.labelsBy).toEqual([
      { actor: 'anna (desktop)', count: 3 },
      { actor: 'operator (browser 10.0.0.7)', count: 2 },
    ]);
    expect(engine.auditTrail(1)[0]).toMatchObject({ subject: 'label', actor: 'anna (desktop)', new: { capture: sampled.id, label: 'good' } });

    // The labelled folder: one picture a labelled capture, under its newest label only.
    const set = await readLabelledFolder(summary.folder);
    expect(set.counts.map((c) => [c.label, c.total])).toEqual([
      ['defective', 2],
      ['good', 1],
    ]);
    expect(existsSync(join(summary.folder, 'good', `capture-${fromHistory.id}.jpg`))).toBe(false);
    expect(existsSync(join(summary.folder, 'defective', `capture-${fromHistory.id}.jpg`))).toBe(true);

    // Teach and Calibrate read it as a stick's folder; "defective" stands for the model's reject label (pit).
    expect((await engine.teaching.inspect(summary.folder)).labels.map((l) => l.label)).toEqual(['defective', 'good']);
    const calibration = await engine.calibration.calibrate({ data: summary.folder, options: DEFAULT_CALIBRATION_OPTIONS, split: 'all' }, 'anna (desktop)');
    expect(calibration).toMatchObject({ nDefect: 2, nGood: 1, thresholds: null });
    expect(calibration.refused).toMatch(/at least 59 are needed/);

    // Exported to a stick: good/, defective/ and a captures.csv of who said what.
    const exported = await engine.captures.export(stick);
    expect(exported).toMatchObject({ good: 1, defective: 2 });
    expect(readdirSync(join(exported.folder, 'defective'))).toHaveLength(2);
    const csv = readFileSync(join(exported.folder, 'captures.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('file,label,labelled_by,labelled_at,reason,model,decision,reject_score,captured_at');
    expect(csv.slice(1).filter((l) => l.includes('anna (desktop)'))).toHaveLength(2);
    await expect(engine.captures.export(tempDir())).rejects.toThrow(/is not under an import folder/);
  }, 90_000);

  it('refuses labels past twice the cap, so that a flood of labels cannot fill the disk', async () => {
    const engine = await engines.start(tempDir(), {
      source: { kind: 'replay', fps: 20 },
      sensors: { sources: [] },
      capture: { randomShare: 1, randomPerHour: 1, maybePerHour: 0, maxCaptures: 1 },
    });
    await waitFor('the one capture', () => engine.captures.summary().byReason['random'] === 1, 20_000);
    await waitFor('two frames in memory', () => engine.getRecentInspections(5).length >= 3);
    const [a, b] = engine.getRecentInspections(2);
    await engine.captures.label({ kind: 'frame', frameId: a!.frameId }, 'good', 'operator');
    await expect(engine.captures.label({ kind: 'frame', frameId: b!.frameId }, 'good', 'operator')).rejects.toThrow(
      /2 items are captured, the most this station keeps \(twice capture\.maxCaptures\): labelling more is refused/,
    );
  }, 60_000);
});
