/**
 * Teaching end to end on real castings (issue 15): a few hundred pictures through the teach worker, the
 * held-out figures, the package on disk with its provenance and calibration, and the taught model deciding
 * on the line itself.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TeachPhase } from '../../../src/shared/teach';
import { loadImagePackage } from '../../../src/engine/model-package';
import { sourceWorkerEntries } from '../../../src/engine/rpc/worker-entry';
import { TeachingCancelled } from '../../../src/engine/teach/extract-features';
import { runTeaching, type TeachRunProgress } from '../../../src/engine/teach/teach-run';
import type { Inspection } from '../../../src/shared/inspection';
import { castingSubset } from '../../helpers/castings';
import { useRunningEngines } from '../../helpers/engine';
import { LAYOUT } from '../../helpers/paths';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from '../../helpers/wait';
import { OFFLINE_SESSION } from '../../../src/engine/evaluation/score-images';

const BACKBONE = join(LAYOUT.bundledModelsDir, 'squeezenet-backbone');
const RUNTIME = { session: OFFLINE_SESSION, mode: 'latency' as const, maxBatch: 1 };

describe('teaching on real castings', () => {
  const tempDir = useTempDirs();
  const engines = useRunningEngines();

  it('teaches 400 pictures, checks them on the ones held out, calibrates, and the model decides on the line', async () => {
    const data = castingSubset(tempDir(), 200);
    const out = join(tempDir(), 'taught');
    const seen: TeachRunProgress[] = [];
    const workers = sourceWorkerEntries();
    const result = await runTeaching({
      job: { dataDir: data, heldOutShare: 0.25, backbone: BACKBONE, rejectLabel: 'def_front', name: 'castings-small', version: '0.1.0', steps: 200 },
      outDir: out,
      teachEntry: workers.teach,
      inferenceEntry: workers.inference,
      runtime: RUNTIME,
      // 95 %/95 % needs 59 defects; this set holds out fewer, so ask for what it can vouch for.
      calibration: { target: 0.9, confidence: 0.9, maxFalseReject: 0.1, recallOn: 'reject-or-divert' },
      checkPictures: true,
      by: 'test',
      onProgress: (p) => seen.push(p),
    });

    // Held out by name: about a quarter, every label represented, none of them fitted.
    const held = result.heldOut;
    expect(held.n).toBe(result.heldOutPictures.length);
    expect(held.n).toBeGreaterThan(50);
    expect(held.confusion.flat().reduce((a, b) => a + b, 0)).toBe(held.n);
    // 300 pictures fitted reach about 90 % (the whole folder 99 %: the fixture's test); chance is 50 %.
    expect(held.accuracy).toBeGreaterThan(0.85);
    expect(held.rejectRecall).toBeGreaterThan(0.8);
    // The teach worker ran at the lowest priority (a thread's own nice value on Linux).
    if (process.platform === 'linux') expect(result.priority).toBe(19);

    // Progress went through every phase, with a time left once there was a pace.
    const phases = new Set<TeachPhase>(seen.map((p) => p.phase));
    expect([...phases]).toEqual(expect.arrayContaining(['reading', 'features', 'fit', 'calibrate']));
    expect(seen.some((p) => p.phase === 'features' && p.remainingMs !== null && p.remainingMs > 0)).toBe(true);
    expect(seen.filter((p) => p.phase === 'features').at(-1)).toMatchObject({ done: 400, total: 400 });
    // Once fitting, the time left is the fit's and the calibration's: a quarter of the pictures at the features' pace.
    const features = seen.filter((p) => p.phase === 'features');
    const featuresMs = features.at(-1)!.elapsedMs - features[0]!.elapsedMs;
    const firstFit = seen.find((p) => p.phase === 'fit')!;
    expect(firstFit.remainingMs).toBeGreaterThan(0.1 * featuresMs);
    expect(firstFit.remainingMs).toBeLessThan(0.45 * featuresMs);
    // Reading the folder gives no time left yet: there is no pace.
    expect(seen.find((p) => p.phase === 'reading')!.remainingMs).toBeNull();

    // The package: loads like any model, with provenance and the calibration as its thresholds.
    const pkg = await loadImagePackage(out);
    expect(pkg.labels).toEqual(['def_front', 'ok_front']);
    expect(pkg.manifest.rejectLabel).toBe('def_front');
    expect(pkg.manifest.preprocessing).toMatchObject({ width: 224, height: 224, channelOrder: 'BGR', mean: [104, 117, 123] });
    const provenance = pkg.manifest.provenance as {
      data: { fingerprint: string; fitted: number; heldOut: number };
      backbone: { sha256: string; featureTensor: string };
    };
    expect(provenance.data.fitted + provenance.data.heldOut).toBe(400);
    expect(provenance.backbone).toMatchObject({ featureTensor: 'fire9/concat_1', sha256: '21f25e3d9254af93e6218a359469fac714a017b3f9035c0f5c4acbf9a3ff7233' });
    const calibration = pkg.manifest.calibration!;
    expect(calibration.thresholds).not.toBeNull();
    expect(calibration.nDefect + calibration.nGood).toBe(held.n);
    expect(pkg.manifest.thresholds).toEqual({ pit: calibration.thresholds!.reject, maybe: calibration.thresholds!.divert });
    expect(calibration.recallLowerBound).toBeGreaterThanOrEqual(0.9);

    // Its check pictures and their CPU record (the parity gate): both labels, both sides of the thresholds, on disk.
    const parity = pkg.manifest.parity!;
    expect(parity.recordedOn).toBe('cpu');
    expect(new Set(parity.pictures.map((p) => p.label))).toEqual(new Set(['def_front', 'ok_front']));
    expect(parity.pictures.some((p) => p.decision === 'clean')).toBe(true);
    expect(parity.pictures.some((p) => p.decision !== 'clean')).toBe(true);
    for (const p of parity.pictures) expect(readFileSync(join(out, p.file)).length).toBeGreaterThan(0);

    // On the line (the parity gate passed first): the held-out pictures replayed as a camera, each decided by the taught model.
    const files = result.heldOutPictures.map((p) => p.path);
    const decisions: Inspection[] = [];
    const engine = await engines.start(tempDir(), { source: { kind: 'replay', files, fps: 20, loop: false } }, { modelDir: out });
    engine.on('inspection', (i) => decisions.push(i));
    await waitFor('every held-out picture decided on the line', () => decisions.length === files.length, 60_000);
    // The replay names each frame by its file (replay:<name>); the label is the folder it came from.
    const isDefect = new Map(result.heldOutPictures.map((p) => [`replay:${basename(p.path)}`, p.label === 0]));
    expect(decisions.every((d) => isDefect.has(d.origin))).toBe(true);
    const right = decisions.filter((d) => d.failSafeReason === undefined && (d.decision !== 'clean') === isDefect.get(d.origin)).length;
    expect(right / decisions.length).toBeGreaterThan(0.8);
  }, 120_000);

  it('stops at the next picture when cancelled, and writes nothing', async () => {
    const data = castingSubset(tempDir(), 150);
    const out = join(tempDir(), 'never');
    const abort = new AbortController();
    const workers = sourceWorkerEntries();
    const run = runTeaching({
      job: { dataDir: data, heldOutShare: 0.2, backbone: BACKBONE, rejectLabel: 'def_front', name: 'cancelled', version: '0.1.0' },
      outDir: out,
      teachEntry: workers.teach,
      inferenceEntry: workers.inference,
      runtime: RUNTIME,
      calibration: null,
      checkPictures: false,
      by: 'test',
      onProgress: (p) => {
        if (p.phase === 'features' && p.done >= 32) abort.abort();
      },
      signal: abort.signal,
    });
    await expect(run).rejects.toBeInstanceOf(TeachingCancelled);
    expect(() => readFileSync(join(out, 'manifest.json'))).toThrow(/ENOENT/);
  }, 60_000);

  it('leaves out a picture that does not decode, says so, and teaches on the rest', async () => {
    const data = castingSubset(tempDir(), 60, 11);
    writeFileSync(join(data, 'ok_front', 'zz-broken.jpeg'), Buffer.from('not a jpeg at all'));
    const out = join(tempDir(), 'taught');
    const workers = sourceWorkerEntries();
    const result = await runTeaching({
      job: { dataDir: data, heldOutShare: 0.2, backbone: BACKBONE, rejectLabel: 'def_front', name: 'with-broken', version: '0.1.0', steps: 100 },
      outDir: out,
      teachEntry: workers.teach,
      inferenceEntry: workers.inference,
      runtime: RUNTIME,
      calibration: null,
      checkPictures: false,
      by: 'test',
    });
    expect(result.notes.join(' ')).toMatch(/1 picture\(s\) could not be read and were left out \(first: ok_front\/zz-broken\.jpeg/);
    const provenance = (await loadImagePackage(out)).manifest.provenance as { data: { unreadable: number } };
    expect(provenance.data.unreadable).toBe(1);
  }, 60_000);
});
