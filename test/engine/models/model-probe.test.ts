/**
 * The load probe (issue 11, item 5): a real child process that loads a real
 * model under a memory cap. A good model comes back prepared and warm-tested;
 * a bomb, a crash and a hang are refused with a sentence a technician can act
 * on; the watchdog holds where no ulimit does; a file that passed is not
 * probed again (model_probes, migration 8).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ModelManifestSchema } from '../../../src/shared/manifest';
import { ModelLoadError } from '../../../src/main/engine/inference/inference-client';
import { OFFLINE_SESSION } from '../../../src/main/engine/evaluation/score-images';
import { sourceWorkerEntries, type WorkerEntry } from '../../../src/main/engine/inference/worker-entry';
import { loadModelPackage, sha256Hex, type ModelPackage } from '../../../src/main/engine/model-package';
import { FirstLoadGate, itemDimsOf } from '../../../src/main/engine/models/first-load-gate';
import { ModelProbeRefused, probeModel, type ProbeLimits } from '../../../src/main/engine/models/model-probe';
import { OVER_CAP_MARKER } from '../../../src/main/engine/models/probe-protocol';
import { migrate, openDatabase, schemaVersion } from '../../../src/main/engine/storage/database';
import { MIGRATIONS } from '../../../src/main/engine/storage/migrations';
import { ProbedModels } from '../../../src/main/engine/storage/model-probes';
import { expandBomb, type TestModel } from '../../fixtures/hostile-models';
import { tinyCnn } from '../../fixtures/test-models';
import { DEMO_MODEL_DIR, ROOT } from '../../helpers/paths';
import { useTempDirs } from '../../helpers/temp-dir';

const entry = sourceWorkerEntries().modelProbe;
const settings = { ...OFFLINE_SESSION, warmupRuns: 1 };
const LIMITS: ProbeLimits = { memoryMiB: 2048, timeoutMs: 60_000 };
const PROBE_MIGRATION = MIGRATIONS.find((m) => m.name === 'model load probes')!;

function request(model: TestModel) {
  const manifest = ModelManifestSchema.parse(model.manifest);
  return { modelBytes: model.bytes, modelFile: 'model.onnx', manifest, labels: manifest.labels!, warmupDims: [1, 3, 32, 32], settings };
}

async function refusal(run: Promise<unknown>): Promise<ModelProbeRefused> {
  try {
    await run;
  } catch (err) {
    expect(err).toBeInstanceOf(ModelProbeRefused);
    return err as ModelProbeRefused;
  }
  throw new Error('the probe passed');
}

describe('probeModel', () => {
  it('loads the demo model in a child process and sends back its bytes, its load info and its peak memory', async () => {
    const pkg = await loadModelPackage(DEMO_MODEL_DIR);
    const outcome = await probeModel(
      'demo',
      { modelBytes: pkg.bytes, modelFile: pkg.modelPath, manifest: pkg.manifest, labels: pkg.labels, warmupDims: itemDimsOf(pkg), settings },
      entry,
      LIMITS,
    );
    expect(outcome.info).toMatchObject({ provider: 'cpu', notes: [], float16Wrapped: false });
    expect(sha256Hex(outcome.prepared)).toBe(pkg.manifest.sha256);
    expect(outcome.peakMiB).toBeGreaterThan(20);
    expect(outcome.peakMiB).toBeLessThan(512);
  });

  it('refuses a model that disagrees with its manifest with its problems, as the trial load did', async () => {
    const model = tinyCnn();
    const run = probeModel('tiny', { ...request(model), labels: ['a', 'b', 'c'] }, entry, LIMITS);
    await expect(run).rejects.toBeInstanceOf(ModelLoadError);
    await expect(run).rejects.toThrow(/gives 2 scores per item but the manifest has 3 labels/);
  });

  it('refuses a 14.4 GB Expand at once (the data limit) and a 576 MB one at the cap (the watchdogs)', async () => {
    let t0 = performance.now();
    const big = await refusal(probeModel('bomb 1.0.0', request(expandBomb()), entry, LIMITS));
    expect(big.reason).toBe('memory');
    expect(big.message).toBe('model bomb 1.0.0 needs more than 2048 MiB to load (model.loadMemoryMiB): refused');
    expect(performance.now() - t0).toBeLessThan(5000);
    t0 = performance.now();
    const medium = await refusal(probeModel('bomb 2.0.0', request(expandBomb(12_000)), entry, { ...LIMITS, memoryMiB: 256 }));
    expect(medium.message).toBe('model bomb 2.0.0 needs more than 256 MiB to load (model.loadMemoryMiB): refused');
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('refuses a model whose load outlasts model.loadTimeoutS, and one that ends the process', async () => {
    const late = await refusal(probeModel('slow 1', request(tinyCnn()), entry, { ...LIMITS, timeoutMs: 50 }));
    expect(late.reason).toBe('timeout');
    expect(late.message).toBe('model slow 1 did not finish loading within 0.1 s (model.loadTimeoutS): refused');
    const crashing: WorkerEntry = { file: join(ROOT, 'test', 'fixtures', 'crashing-probe.ts'), execArgv: ['--require', 'tsx/cjs'] };
    const crashed = await refusal(probeModel('crash 1', request(tinyCnn()), crashing, LIMITS));
    expect(crashed.reason).toBe('crashed');
    expect(crashed.message).toBe('model crash 1 ended the process that tried to load it (exit code 3: Segmentation fault in a custom operator): refused');
  });
});

describe('the memory watchdog thread (the cap where there is no ulimit: Windows)', () => {
  it('kills its process at the cap while the main thread is busy filling memory', async () => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(ROOT, 'test', 'fixtures', 'memory-hog.ts'), '300', '2048'], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGKILL' });
    expect(out).toContain(OVER_CAP_MARKER);
    expect(out).not.toContain('survived');
    const at = Number(/over the memory cap \((\d+) MiB\)/.exec(out)![1]);
    expect(at).toBeGreaterThan(300);
    expect(at).toBeLessThan(600);
  });
});

describe('FirstLoadGate and model_probes', () => {
  const tempDir = useTempDirs();

  const gateOn = (db: Database.Database, refused: string[], memoryMiB = 2048): FirstLoadGate =>
    new FirstLoadGate(new ProbedModels(db), { entry, limits: { ...LIMITS, memoryMiB }, onRefused: (m) => refused.push(m) });

  it('probes a file once: a second load of the same bytes passes without a probe; a cap under its peak probes it again', async () => {
    const db = openDatabase(join(tempDir(), 'db.sqlite'));
    const refused: string[] = [];
    const pkg: ModelPackage = await loadModelPackage(DEMO_MODEL_DIR);
    await gateOn(db, refused).ensure(pkg, settings);
    const row = db.prepare('SELECT * FROM model_probes').get() as { sha256: string; peak_mib: number; cap_mib: number; model: string };
    expect(row).toMatchObject({ sha256: pkg.manifest.sha256, cap_mib: 2048, model: expect.stringMatching(/^demo-cherry 1\.0\.1 \(.*model\.onnx\)$/) });
    const probes = new ProbedModels(db);
    expect(probes.passed(pkg.manifest.sha256, 2048)).toBe(true);
    expect(probes.passed(pkg.manifest.sha256, Math.floor(row.peak_mib) - 1)).toBe(false);
    const t0 = performance.now();
    await gateOn(db, refused).ensure(pkg, settings);
    expect(performance.now() - t0).toBeLessThan(50); // no child process
    expect(refused).toEqual([]);
    db.close();
  });

  it('tells a refusal and records nothing for the refused file', async () => {
    const db = openDatabase(join(tempDir(), 'db.sqlite'));
    const refused: string[] = [];
    const bomb = expandBomb();
    const pkg = { dir: '/x', manifestPath: '/x/manifest.json', modelPath: '/x/model.onnx', manifest: ModelManifestSchema.parse(bomb.manifest), labels: ['cherry_clean', 'cherry_pit'], bytes: bomb.bytes, rejectIndex: 1 };
    await expect(gateOn(db, refused).ensure(pkg, settings)).rejects.toBeInstanceOf(ModelProbeRefused);
    expect(refused).toEqual(['model bomb-expand 1.0.0 (/x/model.onnx) needs more than 2048 MiB to load (model.loadMemoryMiB): refused']);
    expect(db.prepare('SELECT COUNT(*) AS n FROM model_probes').get()).toEqual({ n: 0 });
    db.close();
  });

  it(`migration ${PROBE_MIGRATION.version} adds model_probes to a database of version ${PROBE_MIGRATION.version - 1}, keeping its rows`, () => {
    const path = join(tempDir(), 'old.sqlite');
    const old = new Database(path);
    migrate(old, MIGRATIONS.slice(0, PROBE_MIGRATION.version - 1));
    old.prepare(`INSERT INTO settings (key, value_json, updated_at, updated_by) VALUES ('thresholds', '{}', 't', 'a')`).run();
    old.close();
    const db = openDatabase(path);
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(PROBE_MIGRATION.version);
    expect(db.prepare('SELECT COUNT(*) AS n FROM settings').get()).toEqual({ n: 1 });
    const probes = new ProbedModels(db);
    probes.record({ sha256: 'a'.repeat(64), peakMiB: 100.5, capMiB: 2048, model: 'm 1', at: new Date('2026-01-01T00:00:00Z') });
    probes.record({ sha256: 'a'.repeat(64), peakMiB: 120, capMiB: 4096, model: 'm 1', at: new Date('2026-01-02T00:00:00Z') });
    expect(db.prepare('SELECT * FROM model_probes').all()).toEqual([{ sha256: 'a'.repeat(64), peak_mib: 120, cap_mib: 4096, model: 'm 1', probed_at: '2026-01-02T00:00:00.000Z' }]);
    expect(probes.passed('a'.repeat(64), 119)).toBe(false);
    expect(probes.passed('b'.repeat(64), 4096)).toBe(false);
    db.close();
  });
});
