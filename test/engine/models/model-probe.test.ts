/**
 * The load probe (issue 11, item 5): a real child process that loads a real
 * model under a memory cap. A good model comes back prepared and warm-tested;
 * a bomb, a crash and a hang are refused with a sentence a technician can act
 * on; the watchdog holds where no ulimit does; a model is run at the line's
 * batch on inputs at the extremes of preprocessing, so a bomb that zeros at
 * batch 1 do not set off is refused too; a file that passed with the same
 * settings is not probed again (model_probes, migrations 8 and 9).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ModelManifestSchema, type ModelManifestInput } from '../../../src/shared/manifest';
import { ModelLoadError } from '../../../src/engine/inference/inference-client';
import { OFFLINE_SESSION } from '../../../src/engine/evaluation/score-images';
import type { InferenceRuntime } from '../../../src/engine/inference/session-settings';
import { openWarmSession } from '../../../src/engine/inference/warm-session';
import { sourceWorkerEntries, type WorkerEntry } from '../../../src/engine/rpc/worker-entry';
import { loadModelPackage, sha256Hex, type ModelPackage } from '../../../src/engine/model-package';
import { DataType, GraphBuilder } from '../../../src/engine/onnx/graph-builder';
import { FirstLoadGate, probeInputKey, probeJobOf, probeSettingsKey } from '../../../src/engine/models/first-load-gate';
import { ModelProbeRefused, probeModel, type ProbeLimits } from '../../../src/engine/models/model-probe';
import { OVER_CAP_MARKER, type ProbeJob } from '../../../src/engine/models/probe-protocol';
import { migrate, openDatabase, schemaVersion } from '../../../src/engine/storage/database';
import { MIGRATIONS } from '../../../src/engine/storage/migrations';
import { ProbedModels } from '../../../src/engine/storage/model-probes';
import { batchBlindModel, batchSizedBomb, expandBomb, inputSizedBomb, type TestModel } from '../../fixtures/hostile-models';
import { tinyCnn } from '../../fixtures/test-models';
import { DEMO_MODEL_DIR, LAYOUT, ROOT } from '../../helpers/paths';
import { useTempDirs } from '../../helpers/temp-dir';

type ImageManifestInput = Extract<ModelManifestInput, { task: 'image-classification' }>;

const entry = sourceWorkerEntries().modelProbe;
const settings = { ...OFFLINE_SESSION, warmupRuns: 1 };
const LIMITS: ProbeLimits = { memoryMiB: 2048, timeoutMs: 60_000 };
const PROBE_MIGRATION = MIGRATIONS.find((m) => m.name === 'model load probes')!;
/** The line frame by frame, and in batches of 8. */
const LATENCY: InferenceRuntime = { session: settings, mode: 'latency', maxBatch: 8 };
const THROUGHPUT: InferenceRuntime = { session: settings, mode: 'throughput', maxBatch: 8 };

function request(model: TestModel, batch = 1): ProbeJob {
  const manifest = ModelManifestSchema.parse(model.manifest);
  return { modelBytes: model.bytes, modelFile: 'model.onnx', manifest, labels: manifest.labels!, warmupDims: [1, 3, 32, 32], settings, batch };
}

/** A package of a test model, as loadModelPackage would give it. */
function packageOf(model: TestModel): ModelPackage {
  const manifest = ModelManifestSchema.parse(model.manifest);
  return { dir: '/x', manifestPath: '/x/manifest.json', modelPath: '/x/model.onnx', manifest, labels: manifest.labels!, bytes: model.bytes, rejectIndex: 1 };
}

/**
 * The tiny CNN's edges with symbolic height and width (["N", 3, "H", "W"]): the manifest's width and height decide the
 * picture, and the model Expands a zero to [H·W, 1024] floats: 4 MiB at 32×32, 4 GiB at 1024×1024.
 */
function pixelSizedBomb(columns = 1024, name = 'bomb-pixel-sized'): TestModel {
  const g = new GraphBuilder();
  const shape = g.node('Shape', ['image']);
  const dim = (axis: number): string => g.node('Slice', [shape, g.int64s(`start_${axis}`, [axis]), g.int64s(`end_${axis}`, [axis + 1]), g.int64s(`axes_${axis}`, [0])]);
  const big = g.node('Expand', [g.floats('zero', [], [0]), g.node('Concat', [g.node('Mul', [dim(2), dim(3)]), g.int64s('columns', [columns])], { axis: 0 })]);
  const total = g.node('ReduceSum', [big], { keepdims: 0 });
  const mean = g.node('Unsqueeze', [g.node('ReduceMean', ['image'], { axes: [1, 2, 3], keepdims: 0 }), g.int64s('unsqueeze_axes', [1])]);
  const scores = g.node('Add', [g.node('Concat', [mean, g.node('Neg', [mean])], { axis: 1 }), total]);
  g.node('Softmax', [scores], { axis: 1 }, ['scores']);
  const bytes = g.build({
    name,
    inputs: [{ name: 'image', dims: ['N', 3, 'H', 'W'], elemType: DataType.FLOAT }],
    outputs: [{ name: 'scores', dims: ['N', 2] }],
    opset: 13,
  });
  return { bytes, manifest: { ...tinyCnn().manifest, name, version: '1.0.0', sha256: sha256Hex(bytes) } };
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
    const job = probeJobOf(pkg, THROUGHPUT);
    expect(job.batch).toBe(8); // dynamic batch, throughput mode: maxBatch
    const outcome = await probeModel('demo', job, entry, LIMITS);
    expect(outcome.info).toMatchObject({ provider: 'cpu', notes: [], float16Wrapped: false });
    // Nothing repaired: the bytes are the file's own (not sent back), and the probe hashed them.
    expect(outcome.prepared).toBe(pkg.bytes);
    expect(outcome.preparedSha256).toBe(pkg.manifest.sha256);
    expect(outcome.peakMiB).toBeGreaterThan(20);
    expect(outcome.peakMiB).toBeLessThan(512);
  });

  it('refuses a model that disagrees with its manifest with its problems, as the trial load did', async () => {
    const model = tinyCnn();
    const run = probeModel('tiny', { ...request(model), labels: ['a', 'b', 'c'] }, entry, LIMITS);
    await expect(run).rejects.toBeInstanceOf(ModelLoadError);
    await expect(run).rejects.toThrow(/gives 2 scores per item but the manifest has 3 labels/);
  });

  it('refuses a model whose output ignores the batch, at the batch the line will use, naming the input and the batch', async () => {
    await probeModel('blind 1', request(batchBlindModel(), 1), entry, LIMITS);
    const run = probeModel('blind 8', request(batchBlindModel(), 8), entry, LIMITS);
    await expect(run).rejects.toBeInstanceOf(ModelLoadError);
    await expect(run).rejects.toThrow(/at batch 8 on zeros: output "scores" gives 0\.25 scores per item at batch 8 but the manifest has 2 labels/);
  });

  it('refuses an Expand sized by ReduceMax of the input: the worker\'s own warm-up (zeros, batch 1) passes it, the probe\'s brightest frame does not', async () => {
    const bomb = inputSizedBomb();
    // What the station's worker did before the probe ran more than zeros: in this process, harmless (shape 0).
    const warm = await openWarmSession(request(bomb));
    await warm.session.release();
    const refused = await refusal(probeModel('bomb 3.0.0', request(bomb), entry, LIMITS));
    expect(refused.reason).toBe('memory');
    expect(refused.message).toBe('model bomb 3.0.0 needs more than 2048 MiB to load (model.loadMemoryMiB): refused');
  });

  it('refuses at maxBatch a model that fits at batch 1 (160 MiB an item under a 512 MiB cap)', async () => {
    const limits = { ...LIMITS, memoryMiB: 512 };
    const fits = await probeModel('per-item 1', request(batchSizedBomb(), 1), entry, limits);
    expect(fits.peakMiB).toBeGreaterThan(160);
    const refused = await refusal(probeModel('per-item 8', request(batchSizedBomb(), 8), entry, limits));
    expect(refused.message).toBe('model per-item 8 needs more than 512 MiB to load and run at batch 8 (model.loadMemoryMiB; inference.maxBatch): refused');
  });

  it('refuses a 14.4 GB Expand (the data limit) and a 576 MB one at the cap (the watchdogs) for memory, not for time', async () => {
    // reason 'memory', not 'timeout': the cap ended them, long before model.loadTimeoutS (60 s here).
    const big = await refusal(probeModel('bomb 1.0.0', request(expandBomb()), entry, LIMITS));
    expect(big.reason).toBe('memory');
    expect(big.message).toBe('model bomb 1.0.0 needs more than 2048 MiB to load (model.loadMemoryMiB): refused');
    const medium = await refusal(probeModel('bomb 2.0.0', request(expandBomb(12_000)), entry, { ...LIMITS, memoryMiB: 256 }));
    expect(medium.reason).toBe('memory');
    expect(medium.message).toBe('model bomb 2.0.0 needs more than 256 MiB to load (model.loadMemoryMiB): refused');
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

  const gateOn = (db: Database.Database, refused: string[], memoryMiB = 2048, passed: string[] = []): FirstLoadGate =>
    new FirstLoadGate(new ProbedModels(db), { entry, limits: { ...LIMITS, memoryMiB }, onRefused: (m) => refused.push(m), onPassed: (m) => passed.push(m) });

  it('probes a file once per settings: the same bytes and settings pass without a probe; another batch, thread count or provider list probes again', async () => {
    const db = openDatabase(join(tempDir(), 'db.sqlite'));
    const refused: string[] = [];
    const passed: string[] = [];
    const gate = gateOn(db, refused, 2048, passed);
    const pkg: ModelPackage = await loadModelPackage(DEMO_MODEL_DIR);
    await gate.ensure(pkg, LATENCY);
    const row = db.prepare('SELECT * FROM model_probes').get() as { sha256: string; settings_key: string; peak_mib: number; cap_mib: number; model: string };
    const inputs = probeInputKey(pkg);
    expect(inputs).toMatch(/^item=1x3x\d+x\d+ inputs=[0-9a-f]{16}$/);
    expect(row).toMatchObject({
      sha256: pkg.manifest.sha256,
      settings_key: `v3 providers=cpu intra=1 inter=1 optimization=all execution=sequential arena=on batch=1 ${inputs}`,
      cap_mib: 2048,
      model: expect.stringMatching(/^demo-cherry 1\.0\.1 \(.*model\.onnx\)$/),
    });
    const probes = new ProbedModels(db);
    expect(probes.passed(pkg.manifest.sha256, row.settings_key, 2048)).toBe(true);
    expect(probes.passed(pkg.manifest.sha256, row.settings_key, Math.floor(row.peak_mib) - 1)).toBe(false);
    await gate.ensure(pkg, LATENCY);
    // Warm-up runs and spinning change no memory: the same pass holds (no probe ran: one pass told).
    await gate.ensure(pkg, { ...LATENCY, session: { ...settings, warmupRuns: 5, spinning: true } });
    expect(passed).toHaveLength(1);
    await gate.ensure(pkg, THROUGHPUT);
    await gate.ensure(pkg, { ...LATENCY, session: { ...settings, intraOpThreads: 2 } });
    await gate.ensure(pkg, { ...LATENCY, session: { ...settings, providers: ['cuda', 'cpu'] } });
    expect(passed.map((m) => /at batch (\d+)/.exec(m)![1])).toEqual(['1', '8', '1', '1']);
    const keys = (db.prepare('SELECT settings_key FROM model_probes ORDER BY probed_at, rowid').all() as { settings_key: string }[]).map((r) => r.settings_key);
    expect(keys).toEqual([
      `v3 providers=cpu intra=1 inter=1 optimization=all execution=sequential arena=on batch=1 ${inputs}`,
      `v3 providers=cpu intra=1 inter=1 optimization=all execution=sequential arena=on batch=8 ${inputs}`,
      `v3 providers=cpu intra=2 inter=1 optimization=all execution=sequential arena=on batch=1 ${inputs}`,
      `v3 providers=cuda,cpu intra=1 inter=1 optimization=all execution=sequential arena=on batch=1 ${inputs}`,
    ]);
    expect(refused).toEqual([]);
    db.close();
  });

  it('tells a refusal and records nothing for the refused file', async () => {
    const db = openDatabase(join(tempDir(), 'db.sqlite'));
    const refused: string[] = [];
    await expect(gateOn(db, refused).ensure(packageOf(expandBomb()), LATENCY)).rejects.toBeInstanceOf(ModelProbeRefused);
    expect(refused).toEqual(['model bomb-expand 1.0.0 (/x/model.onnx) needs more than 2048 MiB to load (model.loadMemoryMiB): refused']);
    expect(db.prepare('SELECT COUNT(*) AS n FROM model_probes').get()).toEqual({ n: 0 });
    db.close();
  });

  it('a pass at batch 1 does not let a model through at maxBatch: the line in throughput mode probes it again, and it is refused', async () => {
    const db = openDatabase(join(tempDir(), 'db.sqlite'));
    const refused: string[] = [];
    const gate = gateOn(db, refused, 512);
    const pkg = packageOf(batchSizedBomb());
    await gate.ensure(pkg, LATENCY);
    await expect(gate.ensure(pkg, THROUGHPUT)).rejects.toThrow(
      'model bomb-batch-sized 1.0.0 (/x/model.onnx) needs more than 512 MiB to load and run at batch 8 (model.loadMemoryMiB; inference.maxBatch): refused',
    );
    // A fixed-batch model runs frame by frame in either mode: the pass at batch 1 holds.
    expect(probeJobOf(packageOf(tinyCnn({ batch: 'fixed' })), THROUGHPUT).batch).toBe(1);
    const keys = db.prepare('SELECT settings_key FROM model_probes').all() as { settings_key: string }[];
    expect(keys).toEqual([{ settings_key: probeSettingsKey(settings, 1, probeInputKey(pkg)) }]);
    db.close();
  });

  it('probes the same model file again under an edited manifest: a model sized by the picture passes at 32×32 and is refused at 1024×1024', async () => {
    const db = openDatabase(join(tempDir(), 'db.sqlite'));
    const refused: string[] = [];
    const passed: string[] = [];
    const gate = gateOn(db, refused, 2048, passed);
    const model = pixelSizedBomb();
    const pkg = packageOf(model);
    await gate.ensure(pkg, LATENCY);
    expect(passed).toHaveLength(1);
    // The same model.onnx (the same sha256), its manifest.json edited beside it: a bigger picture.
    const manifest = model.manifest as ImageManifestInput;
    const bigger = packageOf({ ...model, manifest: { ...manifest, preprocessing: { ...manifest.preprocessing, width: 1024, height: 1024 } } });
    expect(bigger.manifest.sha256).toBe(pkg.manifest.sha256);
    expect(probeInputKey(bigger)).not.toBe(probeInputKey(pkg));
    await expect(gate.ensure(bigger, LATENCY)).rejects.toThrow(/^model bomb-pixel-sized 1\.0\.0 \(\/x\/model\.onnx\) needs more than 2048 MiB to load \(model\.loadMemoryMiB\): refused$/);
    expect(refused).toHaveLength(1);
    // Scale, mean and std shape the probe's inputs too; the order of the manifest's keys does not.
    const std = packageOf({ ...model, manifest: { ...manifest, preprocessing: { ...manifest.preprocessing, std: [0.001, 0.001, 0.001] } } });
    expect(probeInputKey(std)).not.toBe(probeInputKey(pkg));
    const reordered = { ...pkg, manifest: Object.fromEntries(Object.entries(pkg.manifest).reverse()) as typeof pkg.manifest };
    expect(probeInputKey(reordered)).toBe(probeInputKey(pkg));
    // A tabular model's features are its inputs.
    expect(probeInputKey(await loadModelPackage(LAYOUT.defaultSensorModelDir))).toMatch(/^item=1x\d+ inputs=[0-9a-f]{16}$/);
    db.close();
  });

  it('keeps one pass per file and settings key', () => {
    const db = openDatabase(join(tempDir(), 'db.sqlite'));
    const probes = new ProbedModels(db);
    const at = (day: number): Date => new Date(`2026-01-0${day}T00:00:00Z`);
    probes.record({ sha256: 'a'.repeat(64), settingsKey: 'k1', peakMiB: 100.5, capMiB: 2048, model: 'm 1', at: at(1) });
    probes.record({ sha256: 'a'.repeat(64), settingsKey: 'k1', peakMiB: 120, capMiB: 4096, model: 'm 1', at: at(2) });
    probes.record({ sha256: 'a'.repeat(64), settingsKey: 'k2', peakMiB: 300, capMiB: 4096, model: 'm 1', at: at(3) });
    expect(db.prepare('SELECT * FROM model_probes ORDER BY settings_key').all()).toEqual([
      { sha256: 'a'.repeat(64), settings_key: 'k1', peak_mib: 120, cap_mib: 4096, model: 'm 1', probed_at: '2026-01-02T00:00:00.000Z' },
      { sha256: 'a'.repeat(64), settings_key: 'k2', peak_mib: 300, cap_mib: 4096, model: 'm 1', probed_at: '2026-01-03T00:00:00.000Z' },
    ]);
    expect(probes.passed('a'.repeat(64), 'k1', 119)).toBe(false);
    expect(probes.passed('a'.repeat(64), 'k1', 2048)).toBe(true);
    expect(probes.passed('a'.repeat(64), 'k3', 4096)).toBe(false);
    expect(probes.passed('b'.repeat(64), 'k1', 4096)).toBe(false);
    db.close();
  });

  it(`migration ${PROBE_MIGRATION.version} adds model_probes to a database of version ${PROBE_MIGRATION.version - 1}, keeping its rows`, () => {
    const path = join(tempDir(), 'old.sqlite');
    const old = new Database(path);
    migrate(old, MIGRATIONS.slice(0, PROBE_MIGRATION.version - 1));
    old.prepare(`INSERT INTO settings (key, value_json, updated_at, updated_by) VALUES ('thresholds', '{}', 't', 'a')`).run();
    old.close();
    const db = new Database(path);
    migrate(db, MIGRATIONS.slice(0, PROBE_MIGRATION.version));
    expect(schemaVersion(db)).toBe(PROBE_MIGRATION.version);
    expect(db.prepare('SELECT COUNT(*) AS n FROM settings').get()).toEqual({ n: 1 });
    const put = db.prepare(
      `INSERT INTO model_probes (sha256, peak_mib, cap_mib, model, probed_at) VALUES (?, ?, ?, 'm 1', 't')
       ON CONFLICT (sha256) DO UPDATE SET peak_mib = excluded.peak_mib, cap_mib = excluded.cap_mib`,
    );
    put.run('a'.repeat(64), 100.5, 2048);
    put.run('a'.repeat(64), 120, 4096);
    expect(db.prepare('SELECT sha256, peak_mib, cap_mib FROM model_probes').all()).toEqual([{ sha256: 'a'.repeat(64), peak_mib: 120, cap_mib: 4096 }]);
    db.close();
  });
});
