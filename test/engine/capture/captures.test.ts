/**
 * Back to teaching (issue 16), on the real station: items captured as they pass under their quotas, with their
 * pictures on disk; labels from people on a live frame, a logged item and a capture, each audited under the
 * person's name; the labelled captures as a labelled folder that Teach and Calibrate read, and its export.
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CALIBRATION_OPTIONS } from '../../../src/shared/calibration';
import type { ParityRecord } from '../../../src/shared/parity';
import { DEMO_MODEL_DIR } from '../../helpers/paths';
import { readLabelledFolder } from '../../../src/engine/labelled/labelled-folder';
import { useRunningEngines } from '../../helpers/engine';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from '../../helpers/wait';

const OPERATOR = { actor: 'operator (browser 10.0.0.7)', role: 'operator' } as const;
const ANNA = { actor: 'anna (desktop)', role: 'technician' } as const;

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
    const live = await engine.captures.label({ kind: 'frame', frameId: reject.frameId }, 'defective', OPERATOR);
    expect(live).toMatchObject({ frameId: reject.frameId, decision: 'pit', label: 'defective', labelledBy: 'operator (browser 10.0.0.7)' });
    // A person's capture, or the random sample's when the station had kept this item already.
    expect(['person', 'random']).toContain(live.reason);
    // Said again on the same frame: the same capture, never a second copy.
    expect((await engine.captures.label({ kind: 'frame', frameId: reject.frameId }, 'defective', OPERATOR)).id).toBe(live.id);

    const logged = await waitFor('another logged reject with its picture', async () =>
      (await engine.queryInspections({ decisions: ['pit'] }, 20, undefined)).rows.find((r) => r.hasImage && r.frameId !== reject.frameId),
    );
    const fromHistory = await engine.captures.label({ kind: 'inspection', seq: logged.seq }, 'good', ANNA);
    expect(fromHistory).toMatchObject({ inspectionSeq: logged.seq, label: 'good' });
    // The same logged item again: the same capture, its label changed, never a second copy.
    const again = await engine.captures.label({ kind: 'inspection', seq: logged.seq }, 'defective', ANNA);
    expect(again.id).toBe(fromHistory.id);
    expect(again.label).toBe('defective');
    // A technician's word stands: an operator cannot change it; the same word again writes nothing.
    await expect(engine.captures.label({ kind: 'inspection', seq: logged.seq }, 'good', OPERATOR)).rejects.toThrow(
      /anna \(desktop\) labelled this item really defective: only a technician can change it/,
    );
    const audited = engine.auditTrail(100).length;
    await engine.captures.label({ kind: 'inspection', seq: logged.seq }, 'defective', ANNA);
    expect(engine.auditTrail(100)).toHaveLength(audited);

    await waitFor('a random capture', () => engine.captures.list({ reason: 'random', labelled: 'no' }, 1)[0]);
    const sampled = engine.captures.list({ reason: 'random', labelled: 'no' }, 1)[0]!;
    await engine.captures.label({ kind: 'capture', id: sampled.id }, 'good', ANNA);

    // Refused in words: a frame no longer in memory, an item never logged, a capture that is not there.
    await expect(engine.captures.label({ kind: 'frame', frameId: 10_000_000 }, 'good', ANNA)).rejects.toThrow(
      /no longer in the live view's memory: label it in History/,
    );
    await expect(engine.captures.label({ kind: 'inspection', seq: 10_000_000 }, 'good', ANNA)).rejects.toThrow(/there is no item 10000000 in the log/);
    await expect(engine.captures.label({ kind: 'capture', id: 10_000_000 }, 'good', ANNA)).rejects.toThrow(/there is no capture 10000000/);

    const summary = engine.captures.summary();
    expect(summary.labelled).toEqual({ good: 1, defective: 2 });
    expect(summary.labelsBy).toEqual([
      { actor: 'anna (desktop)', count: 3 },
      { actor: 'operator (browser 10.0.0.7)', count: 1 },
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

    // The parity gate takes them too: a package imported with no record gets one made on the labelled captures.
    const pkg = join(stick, 'demo-1.5.0');
    cpSync(DEMO_MODEL_DIR, pkg, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(pkg, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(pkg, 'manifest.json'), JSON.stringify({ ...manifest, version: '1.5.0' }));
    await engine.importModel(pkg, 'anna (desktop)');
    const stored = JSON.parse(readFileSync(join(dataDir, 'models', 'demo-cherry', '1.5.0', 'manifest.json'), 'utf8')) as { parity: ParityRecord };
    expect(stored.parity.pictures.map((p) => p.label).sort()).toEqual(['defective', 'defective', 'good']);
  }, 90_000);

  it('keeps the captures within their share of the disk, counting what it passed over', async () => {
    const dataDir = tempDir();
    const engine = await engines.start(dataDir, {
      source: { kind: 'replay', fps: 100 },
      sensors: { sources: [] },
      capture: { randomShare: 1, randomPerHour: 100_000, maxBytes: 1_000_000 },
    });
    await waitFor('the budget spent', () => (engine.captures.summary().passedOver['disk budget'] ?? 0) > 10, 30_000);
    await engine.stop();
    const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
    const { n } = db.prepare('SELECT SUM(bytes) AS n FROM captures').get() as { n: number };
    db.close();
    expect(n).toBeLessThanOrEqual(1_000_000);
    expect(n).toBeGreaterThan(900_000);
  }, 60_000);

  it('refuses labels past twice the cap, so that a flood of labels cannot fill the disk', async () => {
    const engine = await engines.start(tempDir(), {
      source: { kind: 'replay', fps: 20 },
      sensors: { sources: [] },
      capture: { randomShare: 1, randomPerHour: 1, maybePerHour: 0, maxCaptures: 1 },
    });
    await waitFor('the one capture', () => engine.captures.summary().byReason['random'] === 1, 20_000);
    await waitFor('two frames in memory', () => engine.getRecentInspections(5).length >= 3);
    const [a, b] = engine.getRecentInspections(2);
    await engine.captures.label({ kind: 'frame', frameId: a!.frameId }, 'good', OPERATOR);
    await expect(engine.captures.label({ kind: 'frame', frameId: b!.frameId }, 'good', OPERATOR)).rejects.toThrow(
      /2 items are captured, the most this station keeps \(twice capture\.maxCaptures\): labelling more is refused/,
    );
  }, 60_000);
});
