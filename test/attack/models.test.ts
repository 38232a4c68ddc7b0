/**
 * Hostile model files and model paths against a running engine (issue 11,
 * items 5, 6 and 7):
 *
 * - two tiny model bombs (a ConstantOfShape and a run-time Expand to
 *   60000×60000 floats, 14.4 GB) ended the station on import: now the first
 *   load runs in a capped child process and the model is refused;
 * - bombs a warm-up on zeros at batch 1 does not set off (an Expand sized by
 *   the input's largest value, one sized by the batch): the probe runs the
 *   line's batch on the extremes of what preprocessing gives;
 * - a multi-GB file on the stick: refused from its size, never read;
 * - external data hidden in an If branch, a Constant attribute, a sparse
 *   initializer made ONNX Runtime open package.json: now refused, naming where;
 * - imports from anywhere, and manifests whose files lead out of their folder:
 *   now only from under model.importRoots, and only files inside the package.
 *
 * After each attack: the refusal says why, the line is still deciding
 * (decisions increase) and the active model is the one it was.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BenchPlanSchema } from '../../src/shared/bench';
import type { StationStatus } from '../../src/shared/status';
import type { ModelRecord } from '../../src/shared/models';
import { ModelImportError } from '../../src/engine/models/model-import';
import type { StationEngine } from '../../src/engine/station-engine';
import {
  batchSizedBomb,
  constantOfShapeBomb,
  expandBomb,
  inputSizedBomb,
  externalInConstant,
  externalInIfBranch,
  externalInSparseInitializer,
  type TestModel,
} from '../fixtures/hostile-models';
import { tinyCnn, writePackage } from '../fixtures/test-models';
import { useRunningEngines } from '../helpers/engine';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

/** The registry less the configured model, registered at every start (issue 12): what imports added. */
const imported = (e: StationEngine): ModelRecord[] => e.listModels().filter((m) => !m.configured);
const decided = (s: StationStatus): number => s.decisions.clean + s.decisions.maybe + s.decisions.pit;
const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
/** What must not change while a model is refused. */
const activeModel = (e: StationEngine): unknown => {
  const { name, version, registryId, state } = e.getStatus().model;
  return { name, version, registryId, state };
};

describe('attacks with model files and paths', () => {
  const tempDir = useTempDirs();
  const { start } = useRunningEngines();

  /** An engine importing from `stick`, running the demo model at 20 frames a second. */
  const station = (stick: string, model: Record<string, unknown> = {}): Promise<StationEngine> =>
    start(tempDir(), { source: { kind: 'replay', fps: 20 }, model: { importRoots: [stick], ...model } });

  /**
   * Imports `source`, which must be refused; returns the message and the station's peak resident memory
   * meanwhile. Then the line must still be deciding on the same model.
   */
  async function refusedImport(engine: StationEngine, source: string): Promise<{ message: string; peakRssMiB: number }> {
    const model = activeModel(engine);
    let peak = process.memoryUsage.rss();
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
    let message: string | null = null;
    try {
      await engine.importModel(source, 'attacker');
    } catch (err) {
      expect(err).toBeInstanceOf(ModelImportError);
      message = (err as Error).message;
    } finally {
      clearInterval(sampler);
    }
    if (message === null) throw new Error(`${source} was imported`);
    const before = decided(engine.getStatus());
    await waitFor('the line to keep deciding', () => decided(engine.getStatus()) > before + 5, 15_000);
    expect(activeModel(engine)).toEqual(model);
    expect(engine.getStatus().frames.classified).toBeGreaterThan(0);
    return { message, peakRssMiB: peak / 1024 / 1024 };
  }

  const pkg = (dir: string, model: TestModel): string => writePackage(dir, model);

  describe('model bombs (item 5)', () => {
    it('refuses a ConstantOfShape and a run-time Expand of 60000×60000 under the default cap, for memory, and the station keeps deciding', async () => {
      const stick = tempDir();
      const engine = await station(stick);
      for (const bomb of [constantOfShapeBomb(), expandBomb()]) {
        const { message, peakRssMiB } = await refusedImport(engine, pkg(join(stick, bomb.manifest.name), bomb));
        // The memory cap ended the probe (not model.loadTimeoutS: that refusal says "did not finish loading").
        expect(message).toMatch(
          new RegExp(`model ${bomb.manifest.name} 1\\.0\\.0 \\(.*\\) needs more than 2048 MiB to load \\(model\\.loadMemoryMiB\\): refused`),
        );
        // The bomb's 14.4 GB never reached this process.
        expect(peakRssMiB).toBeLessThan(1024);
      }
      expect(imported(engine)).toEqual([]);
      const events = engine.recentEvents(20).filter((e) => e.kind === 'model');
      expect(events.map((e) => e.message)).toEqual([
        expect.stringMatching(/bomb-expand .* needs more than 2048 MiB/),
        expect.stringMatching(/bomb-constant-of-shape .* needs more than 2048 MiB/),
      ]);
    });

    it('kills a probe that fills memory under its data limit once it passes the cap (the watchdog: what holds where ulimit does not)', async () => {
      const stick = tempDir();
      const engine = await station(stick, { loadMemoryMiB: 256 });
      // 12000² floats = 576 MB: one allocation the data limit (cap + 512 MiB) lets through, then filled.
      const bomb = expandBomb(12_000, 'bomb-fills-slowly');
      const { message } = await refusedImport(engine, pkg(join(stick, 'slow'), bomb));
      expect(message).toMatch(/bomb-fills-slowly 1\.0\.0 .* needs more than 256 MiB to load \(model\.loadMemoryMiB\): refused/);
      // A model that fits the same cap is imported.
      const fine = tinyCnn({ name: 'fits', version: '1.0.0' });
      expect((await engine.importModel(pkg(join(stick, 'fits'), fine), 'tech')).model.name).toBe('fits');
    });

    it('refuses a bomb configured as the station model at start-up, with the message, instead of dying', async () => {
      const stick = tempDir();
      const bomb = pkg(join(stick, 'bomb'), expandBomb());
      await expect(start(tempDir(), { source: { kind: 'replay', fps: 20 } }, { modelDir: bomb })).rejects.toThrow(
        /model bomb-expand 1\.0\.0 .* needs more than 2048 MiB to load \(model\.loadMemoryMiB\): refused/,
      );
    });

    it('probes a model file once per station: a start on a known file and the activation of an imported model skip it', async () => {
      const stick = tempDir();
      const dataDir = tempDir();
      const logged: string[] = [];
      const logger = { info: (m: string) => logged.push(m), warn: () => {}, error: () => {} };
      const config = { source: { kind: 'replay' as const, fps: 20 }, model: { importRoots: [stick] } };
      const probed = (): string[] => logged.filter((m) => /passed its load probe/.test(m)).map((m) => /^model (\S+)/.exec(m)![1]!);
      let engine = await start(dataDir, config, { logger });
      // First start on this data dir: the line's model and the sensor model.
      expect(probed().sort()).toEqual(['demo-cherry', 'demo-sensor']);
      const report = await engine.importModel(pkg(join(stick, 'tiny'), tinyCnn({ name: 'tiny', version: '2.0.0' })), 'tech');
      expect(probed()).toHaveLength(3); // the import's trial load is the probe
      await engine.activateModel(report.model.id, 'tech', null);
      await engine.stop();
      engine = await start(dataDir, config, { logger });
      expect(engine.getStatus().model).toMatchObject({ name: 'tiny', version: '2.0.0' });
      expect(probed()).toHaveLength(3);
      const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
      const rows = db.prepare('SELECT peak_mib, cap_mib FROM model_probes').all() as { peak_mib: number; cap_mib: number }[];
      db.close();
      expect(rows).toHaveLength(3);
      for (const r of rows) expect(r).toMatchObject({ cap_mib: 2048, peak_mib: expect.any(Number) });
    });
  });

  describe('what a probe on zeros at batch 1 did not see (item 5, review)', () => {
    it('refuses a model whose Expand is sized by ReduceMax of its input (nothing on zeros, gigabytes on a bright frame), and the station keeps deciding', async () => {
      const stick = tempDir();
      const engine = await station(stick);
      const bomb = inputSizedBomb();
      const { message, peakRssMiB } = await refusedImport(engine, pkg(join(stick, 'input-sized'), bomb));
      expect(message).toMatch(/^model bomb-input-sized 1\.0\.0 \(.*\) needs more than 2048 MiB to load \(model\.loadMemoryMiB\): refused$/);
      expect(peakRssMiB).toBeLessThan(1024);
      expect(imported(engine)).toEqual([]);
      expect(engine.recentEvents(5).find((e) => e.kind === 'model')?.message).toMatch(/bomb-input-sized .* needs more than 2048 MiB/);
    });

    it('probes at the batch the line uses: a model that fits frame by frame is refused for batches of 8, at import and at activation', async () => {
      const stick = tempDir();
      const throughput = { providers: ['cpu' as const], intraOpThreads: 1, mode: 'throughput' as const, maxBatch: 8 };
      const engine = await start(tempDir(), {
        source: { kind: 'replay', fps: 20 },
        model: { importRoots: [stick], loadMemoryMiB: 512 },
        inference: throughput,
      });
      expect(engine.getStatus().model).toMatchObject({ mode: 'throughput', batchSize: 8 });
      // 160 MiB an item: 1.25 GiB at batch 8.
      const source = pkg(join(stick, 'per-item'), batchSizedBomb());
      expect((await refusedImport(engine, source)).message).toMatch(
        /model bomb-batch-sized 1\.0\.0 .* needs more than 512 MiB to load and run at batch 8 \(model\.loadMemoryMiB; inference\.maxBatch\): refused/,
      );
      // Frame by frame it fits, and is imported.
      await engine.applyInferenceSettings({ ...throughput, mode: 'latency' }, 'tech', 'frame by frame');
      const { model } = await engine.importModel(source, 'tech');
      // Back to batches: its pass at batch 1 does not let it onto the line at batch 8.
      await engine.applyInferenceSettings(throughput, 'tech', 'batches again');
      const before = activeModel(engine);
      const decidedBefore = decided(engine.getStatus());
      await expect(engine.activateModel(model.id, 'tech', null)).rejects.toThrow(
        /model bomb-batch-sized 1\.0\.0 .* needs more than 512 MiB to load and run at batch 8 \(model\.loadMemoryMiB; inference\.maxBatch\): refused/,
      );
      expect(activeModel(engine)).toEqual(before);
      expect(engine.getStatus().model).toMatchObject({ name: 'demo-cherry', batchSize: 8 });
      await waitFor('the line to keep deciding', () => decided(engine.getStatus()) > decidedBefore + 5, 15_000);
    });
  });

  describe('the benchmark (final review)', () => {
    it("probes a registry model before the benchmark loads it at its batches: a batch bomb is refused with the probe's reason, and the station keeps deciding", async () => {
      const stick = tempDir();
      // Frame by frame on the line: the bomb passes its probe at batch 1 and is imported.
      const engine = await start(tempDir(), {
        source: { kind: 'replay', fps: 20 },
        sensors: { sources: [] },
        model: { importRoots: [stick], loadMemoryMiB: 512 },
        inference: { providers: ['cpu'], intraOpThreads: 1, mode: 'latency', maxBatch: 8 },
      });
      const { model } = await engine.importModel(pkg(join(stick, 'per-item'), batchSizedBomb()), 'tech');
      const before = activeModel(engine);
      // 160 MiB an item: 1.25 GiB at batch 8, in a thread of this process, had the benchmark loaded it unprobed.
      const plan = BenchPlanSchema.parse({ models: [`registry:${model.id}`], scenarios: ['single_stream', 'offline'], batches: [2, 8], budget: 'quick' });
      let peak = process.memoryUsage.rss();
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
      const rss = process.memoryUsage.rss();
      let runId: number;
      try {
        runId = await engine.benchmarks.start(plan, 'tech', 'beside');
        await waitFor('the run ended', () => engine.benchmarks.current === null && engine.benchmarks.get(runId).state !== 'running', 30_000);
      } finally {
        clearInterval(sampler);
      }
      const run = engine.benchmarks.get(runId);
      expect(run.state).toBe('done');
      const refusal =
        /^model bomb-batch-sized 1\.0\.0 \(.*\) needs more than 512 MiB to load and run at batch 8 \(model\.loadMemoryMiB; inference\.maxBatch\): refused$/;
      expect(run.items.map((r) => `${r.scenario}:${r.batch}:${r.status}`)).toEqual(['single_stream:1:failed', 'offline:2:failed', 'offline:8:failed']);
      for (const r of run.items) expect(r.error).toMatch(refusal);
      expect(engine.recentEvents(10).find((e) => e.kind === 'model')?.message).toMatch(refusal);
      expect((peak - rss) / 1024 / 1024).toBeLessThan(512);
      expect(activeModel(engine)).toEqual(before);
      const decidedBefore = decided(engine.getStatus());
      await waitFor('the line to keep deciding', () => decided(engine.getStatus()) > decidedBefore + 5, 15_000);
    });
  });

  describe('file sizes (review)', () => {
    it('refuses a 3 GiB model file on the stick from its size, before reading it, and a 2 GiB manifest too; the station keeps deciding', async () => {
      const stick = tempDir();
      const engine = await station(stick);
      const huge = pkg(join(stick, 'huge'), tinyCnn({ name: 'huge', version: '1.0.0' }));
      truncateSync(join(huge, 'model.onnx'), 3 * 1024 ** 3);
      const rss = process.memoryUsage.rss() / 1024 / 1024;
      const { message, peakRssMiB } = await refusedImport(engine, huge);
      expect(message).toBe(
        `model file ${join(huge, 'model.onnx')} is 3072.0 MiB (3221225472 bytes), more than model.maxFileBytes (1073741824 bytes): refused before reading it`,
      );
      // Never read: its 3 GiB never reached this process's memory.
      expect(peakRssMiB - rss).toBeLessThan(128);

      const bigManifest = pkg(join(stick, 'big-manifest'), tinyCnn({ name: 'big-manifest', version: '1.0.0' }));
      truncateSync(join(bigManifest, 'manifest.json'), 2 * 1024 ** 3);
      expect((await refusedImport(engine, bigManifest)).message).toMatch(
        /manifest\.json is 2048\.0 MiB \(2147483648 bytes\), more than the 1048576 bytes \(1 MiB\) a model manifest may have: refused before reading it/,
      );
      const listed = await engine.importCandidates();
      expect(listed.unreadable.map((u) => u.path)).toEqual([join(bigManifest, 'manifest.json')]);
      expect(imported(engine)).toEqual([]);
    });
  });

  describe('external data (item 6)', () => {
    it('refuses external data in an If branch, a Constant attribute and a sparse initializer, naming where, and never opens the file', async () => {
      const stick = tempDir();
      const engine = await station(stick);
      const cases: [TestModel, RegExp][] = [
        [externalInIfBranch(), /node If "If_1" attribute then_branch › graph "then_1" initializer "from_file" \(file "package\.json"\)/],
        [externalInIfBranch('package.json', 3), /graph "then_3" initializer "from_file" \(file "package\.json"\)/],
        [externalInConstant(), /node Constant "Constant_from_file" attribute value \(file "package\.json"\)/],
        [externalInSparseInitializer(), /sparse initializer "sparse" values \(file "package\.json"\)/],
      ];
      for (const [i, [model, where]] of cases.entries()) {
        const { message } = await refusedImport(engine, pkg(join(stick, `external-${i}`), model));
        expect(message).toMatch(/keeps tensor data in files outside it/);
        expect(message).toMatch(where);
      }
      expect(imported(engine)).toEqual([]);
    });
  });

  describe('paths (item 7)', () => {
    it('imports only from under model.importRoots: not from outside, not through "..", not through a symlink out of a root', async () => {
      const stick = tempDir();
      const elsewhere = tempDir();
      const engine = await station(stick);
      const outside = pkg(join(elsewhere, 'pkg'), tinyCnn({ name: 'outside', version: '1.0.0' }));
      symlinkSync(outside, join(stick, 'linked-folder'));
      mkdirSync(join(stick, 'linked-manifest'));
      copyFileSync(join(outside, 'model.onnx'), join(stick, 'linked-manifest', 'model.onnx'));
      symlinkSync(join(outside, 'manifest.json'), join(stick, 'linked-manifest', 'manifest.json'));
      const allowed = new RegExp(`is not under an import folder: models are imported only from ${stick} \\(model\\.importRoots\\)`);
      for (const source of [
        outside,
        join(outside, 'manifest.json'),
        `${stick}/../${basename(elsewhere)}/pkg`,
        join(stick, 'linked-folder'),
        join(stick, 'linked-folder', 'manifest.json'),
        join(stick, 'linked-manifest'),
        '/etc',
        '/nowhere/at/all',
      ]) {
        expect((await refusedImport(engine, source)).message, source).toMatch(allowed);
      }
      // What is under the root is imported.
      const inside = pkg(join(stick, 'models', 'inside'), tinyCnn({ name: 'inside', version: '1.0.0' }));
      expect((await engine.importModel(inside, 'tech')).model.name).toBe('inside');
      expect(imported(engine).map((m) => m.name)).toEqual(['inside']);
    });

    it("refuses a manifest whose modelFile or labelsFile leads out of its folder (../x, an absolute path, a symlink) before reading the file, and never shows another file's hash", async () => {
      const stick = tempDir();
      const elsewhere = tempDir();
      const engine = await station(stick);
      const secret = Buffer.from('not a model: a file the station can read');
      writeFileSync(join(elsewhere, 'secret.bin'), secret);
      writeFileSync(join(elsewhere, 'decoy-labels.txt'), 'cherry_clean\ncherry_pit\nroot:x:0:0\n');
      const model = tinyCnn({ name: 'escape', version: '1.0.0' });
      const up = `../../${basename(elsewhere)}`;
      const escapes: [string, Record<string, unknown>, () => void][] = [
        ['model-dotdot', { modelFile: `${up}/secret.bin` }, () => {}],
        ['model-absolute', { modelFile: join(elsewhere, 'secret.bin') }, () => {}],
        ['model-symlink', { modelFile: 'linked.onnx' }, () => symlinkSync(join(elsewhere, 'secret.bin'), join(stick, 'model-symlink', 'linked.onnx'))],
        ['labels-dotdot', { labels: undefined, labelsFile: `${up}/decoy-labels.txt` }, () => {}],
        ['labels-absolute', { labels: undefined, labelsFile: join(elsewhere, 'decoy-labels.txt') }, () => {}],
        [
          'labels-symlink',
          { labels: undefined, labelsFile: 'labels.txt' },
          () => symlinkSync(join(elsewhere, 'decoy-labels.txt'), join(stick, 'labels-symlink', 'labels.txt')),
        ],
      ];
      for (const [name, overrides, link] of escapes) {
        writePackage(join(stick, name), model, overrides);
        link();
        const { message } = await refusedImport(engine, join(stick, name));
        const field = name.startsWith('model') ? 'modelFile' : 'labelsFile';
        expect(message, name).toMatch(
          new RegExp(`${field} ".*" of .*manifest\\.json leads outside its package folder .*${name}: a package's files must be inside its folder`),
        );
        expect(message, name).not.toContain(sha(secret).slice(0, 12));
        expect(message, name).not.toMatch(/root:x|sha256/);
      }
      expect(imported(engine)).toEqual([]);
      // The same package with its files inside its folder is imported.
      expect((await engine.importModel(writePackage(join(stick, 'fine'), model), 'tech')).model.name).toBe('escape');
    });
  });
});
