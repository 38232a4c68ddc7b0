/**
 * The parity gate (issue 16): the judgement itself (src/engine/parity/compare-parity.ts), and on the real engine —
 * a model imported with no record gets one made on the CPU and goes live; the same package with a wrong mean in its
 * manifest, and the same model on a "provider" whose outputs differ (a test seam standing in for a GPU), are kept
 * off the line with the worst picture and both scores named, in the audit trail; the running model stays.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParityRecord } from '../../../src/shared/parity';
import { compareParity } from '../../../src/engine/parity/compare-parity';
import { useRunningEngines } from '../../helpers/engine';
import { DEMO_MODEL_DIR } from '../../helpers/paths';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from '../../helpers/wait';

const RECORD: ParityRecord = {
  recordedAt: '2026-12-06T00:00:00.000Z',
  recordedOn: 'cpu',
  thresholds: { pit: 0.75, maybe: 0.5 },
  pictures: [
    { file: 'check/a.png', label: 'clean', scores: [0.9, 0.1], decision: 'clean' },
    { file: 'check/b.png', label: 'pit', scores: [0.26, 0.74], decision: 'maybe' },
  ],
};
const CTX = { labels: ['clean', 'pit'], rejectIndex: 1, provider: 'cuda', model: { name: 'm', version: '1' }, at: new Date('2026-12-06T01:00:00Z') };

describe('compareParity', () => {
  it('passes full precision within 1e-4 with the same decisions, and fails past it naming the picture and both scores', () => {
    const same = compareParity(
      RECORD,
      [
        { file: 'check/a.png', scores: [0.90005, 0.09995] },
        { file: 'check/b.png', scores: [0.26, 0.74] },
      ],
      { ...CTX, precision: 'full' },
    );
    expect(same).toMatchObject({ passed: true, tolerance: 1e-4, pictures: 2 });
    const off = compareParity(
      RECORD,
      [
        { file: 'check/a.png', scores: [0.9, 0.1] },
        { file: 'check/b.png', scores: [0.2598, 0.7402] },
      ],
      { ...CTX, precision: 'full' },
    );
    expect(off.passed).toBe(false);
    expect(off.worst).toMatchObject({ file: 'check/b.png', recorded: 0.26, now: 0.2598 });
    expect(off.message).toBe(
      'parity failed on cuda: check picture check/b.png scores clean 0.25980 now and 0.26000 on the CPU when recorded, more than 0.0001 apart: the model does not go live',
    );
  });

  it('forgives reduced precision a changed decision only within 0.02 of a threshold', () => {
    // 0.74 recorded, 0.755 now: maybe → pit, 0.01 from the pit threshold.
    const near = compareParity(
      RECORD,
      [
        { file: 'check/a.png', scores: [0.9, 0.1] },
        { file: 'check/b.png', scores: [0.245, 0.755] },
      ],
      { ...CTX, precision: 'reduced' },
    );
    expect(near).toMatchObject({ passed: true, tolerance: 0.02, decisionsChanged: [] });
    // Full precision: the same numbers fail (the difference, and the decision).
    expect(
      compareParity(
        RECORD,
        [
          { file: 'check/a.png', scores: [0.9, 0.1] },
          { file: 'check/b.png', scores: [0.245, 0.755] },
        ],
        { ...CTX, precision: 'full' },
      ).passed,
    ).toBe(false);
    // Far from a threshold, a changed decision is never forgiven.
    const far: ParityRecord = { ...RECORD, pictures: [{ file: 'check/a.png', scores: [0.6, 0.4], decision: 'clean' }] };
    const flipped = compareParity(far, [{ file: 'check/a.png', scores: [0.35, 0.65] }], { ...CTX, precision: 'reduced' });
    expect(flipped.passed).toBe(false);
  });

  it('fails when a check picture cannot be scored, or gives another number of scores', () => {
    expect(compareParity(RECORD, [{ file: 'check/a.png', scores: null, error: 'ENOENT' }], { ...CTX, precision: 'full' }).message).toMatch(
      /check picture check\/a\.png could not be scored \(ENOENT\)/,
    );
    expect(compareParity(RECORD, [{ file: 'check/a.png', scores: [1] }], { ...CTX, precision: 'full' }).passed).toBe(false);
  });
});

describe('the parity gate on the engine', () => {
  const tempDir = useTempDirs();
  const engines = useRunningEngines();

  /** The demo model as another version on a "USB stick", its manifest changed by `edit`. */
  function demoVersion(stick: string, from: string, version: string, edit: (m: Record<string, unknown>) => Record<string, unknown> = (m) => m): string {
    const dir = join(stick, `demo-${version}`);
    cpSync(from, dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(edit({ ...manifest, version })));
    return dir;
  }

  it('records a model without a record on import, lets it go live, and keeps a package with a wrong mean off the line', async () => {
    const stick = tempDir();
    const dataDir = tempDir();
    const engine = await engines.start(dataDir, { source: { kind: 'replay', fps: 10 }, model: { importRoots: [stick] } });
    const first = await engine.importModel(demoVersion(stick, DEMO_MODEL_DIR, '2.0.0'), 'tech');
    const stored = join(dataDir, 'models', 'demo-cherry', '2.0.0');
    const record = (JSON.parse(readFileSync(join(stored, 'manifest.json'), 'utf8')) as { parity: ParityRecord }).parity;
    expect(record.recordedOn).toBe('cpu');
    expect(record.pictures.length).toBeGreaterThanOrEqual(4);
    for (const p of record.pictures) expect(readFileSync(join(stored, p.file)).length).toBeGreaterThan(0);
    await engine.activateModel(first.model.id, 'tech', 'trial');
    expect(engine.getStatus().model.version).toBe('2.0.0');
    expect(engine.auditTrail(1)[0]!.new).toMatchObject({ version: '2.0.0', parity: { passed: true, provider: 'cpu' } });

    // The same package with its record and check pictures, but a wrong mean: the pictures no longer score as recorded.
    const perturbed = demoVersion(stick, stored, '2.0.1', (m) => ({ ...m, preprocessing: { ...(m['preprocessing'] as object), mean: [0.45, 0.5, 0.5] } }));
    const second = await engine.importModel(perturbed, 'tech');
    await expect(engine.activateModel(second.model.id, 'tech', 'trial')).rejects.toThrow(
      /demo-cherry 2\.0\.1: parity failed on cpu: check picture check\/\S+ scores \S+ [\d.]+ now and [\d.]+ on the CPU when recorded, more than 0\.0001 apart: the model does not go live/,
    );
    expect(engine.getStatus().model.version).toBe('2.0.0');
    const refusal = engine.auditTrail(1)[0]!;
    expect(refusal.reason).toMatch(/^refused by the parity gate: parity failed on cpu/);
    expect(refusal.new).toMatchObject({ version: '2.0.1', parity: { passed: false } });
    // The registry keeps what the gate found for each version: the Models page shows it.
    const models = engine.listModels();
    expect(models.find((m) => m.version === '2.0.0')!.parity).toMatchObject({ passed: true, provider: 'cpu' });
    expect(models.find((m) => m.version === '2.0.1')!.parity).toMatchObject({ passed: false, message: expect.stringMatching(/^parity failed on cpu/) });
  }, 120_000);

  it('keeps a model off the line where its provider computes differently, and takes it where it agrees', async () => {
    const stick = tempDir();
    // Every output nudged by 1e-3 once `disagree` is set: a provider that does not agree with the CPU (no GPU exists here).
    let disagree = false;
    const engine = await engines.start(
      tempDir(),
      { source: { kind: 'replay', fps: 10 }, model: { importRoots: [stick] } },
      { alterLineOutput: (output) => disagree && output.forEach((v, i) => (output[i] = v * 0.999)) },
    );
    disagree = true;
    const imported = await engine.importModel(demoVersion(stick, DEMO_MODEL_DIR, '3.0.0'), 'tech');
    await expect(engine.activateModel(imported.model.id, 'tech', 'trial')).rejects.toThrow(/parity failed on cpu: .* more than 0\.0001 apart/);
    expect(engine.getStatus().model.version).not.toBe('3.0.0');

    const agreeing = await engines.start(tempDir(), { source: { kind: 'replay', fps: 10 }, model: { importRoots: [stick] } });
    const again = await agreeing.importModel(demoVersion(stick, DEMO_MODEL_DIR, '3.0.1'), 'tech');
    await agreeing.activateModel(again.model.id, 'tech', 'trial');
    expect(agreeing.getStatus().model.version).toBe('3.0.1');
  }, 120_000);

  it('holds a model that carries no record — the configured one — to a record made on the CPU at its first load, kept in the data folder', async () => {
    const dataDir = tempDir();
    const first = await engines.start(dataDir, { source: { kind: 'replay', fps: 10 } });
    const file = join(dataDir, 'parity', first.listModels().find((m) => m.active)!.sha256, 'record.json');
    const record = JSON.parse(readFileSync(file, 'utf8')) as ParityRecord;
    expect(record.recordedOn).toBe('cpu');
    expect(record.pictures.length).toBeGreaterThanOrEqual(4);
    await first.stop();
    // The same data folder on a provider that computes differently: the configured model does not go live.
    await expect(
      engines.start(dataDir, { source: { kind: 'replay', fps: 10 } }, { alterLineOutput: (output) => output.forEach((v, i) => (output[i] = v * 0.999)) }),
    ).rejects.toThrow(
      /demo-cherry 1\.0\.1: parity failed on cpu: .* more than 0\.0001 apart: the model does not go live — held to the record this station made at the model's first load/,
    );
    // In throughput mode the check pictures go through in batches, as the line sends them; the record still holds.
    const batched = await engines.start(dataDir, { source: { kind: 'replay', fps: 10 }, inference: { mode: 'throughput', maxBatch: 4 } });
    expect(batched.getStatus().model.name).toBe('demo-cherry');
    await batched.stop();
    // A kept record damaged on disk is never trusted: a new one is made on the CPU, and the station decides.
    writeFileSync(file, '{"recordedAt": "x", "pictures": "not a list"');
    const again = await engines.start(dataDir, { source: { kind: 'replay', fps: 20 } });
    await waitFor('items decided on the record made again', () => again.getStatus().frames.classified >= 10);
    expect((JSON.parse(readFileSync(file, 'utf8')) as ParityRecord).recordedOn).toBe('cpu');
  }, 120_000);
});
