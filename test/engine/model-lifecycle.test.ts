/**
 * The model registry driven through the running engine: import, activate,
 * roll back, history; bad models refused while the line keeps running on
 * the active one; a swap at full speed; a worker that dies.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ModelImportError } from '../../src/engine/models/model-import';
import type { StationEngine } from '../../src/engine/station-engine';
import { tinyCnn, writePackage, zipMapTrees } from '../fixtures/test-models';
import { useRunningEngines } from '../helpers/engine';
import { DEMO_MODEL_DIR, ROOT } from '../helpers/paths';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

/** The demo model under another name and version (same weights). */
function demoAs(dir: string, version: string, overrides: Record<string, unknown> = {}): string {
  const manifest = JSON.parse(readFileSync(join(DEMO_MODEL_DIR, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  writePackage(dir, { bytes: readFileSync(join(DEMO_MODEL_DIR, 'model.onnx')), manifest: { ...manifest, name: 'cherry-line', version } as never }, overrides);
  return dir;
}

async function importError(engine: StationEngine, source: string): Promise<string> {
  try {
    await engine.importModel(source, 'tech');
  } catch (err) {
    expect(err).toBeInstanceOf(ModelImportError);
    return (err as Error).message;
  }
  throw new Error(`${source} was imported`);
}

describe('model lifecycle on a running station', () => {
  const tempDir = useTempDirs();
  const { start, running } = useRunningEngines();

  it('imports, activates, rolls back, keeps the history, and starts on the active model', async () => {
    const dataDir = tempDir();
    const packages = tempDir();
    const config = { source: { kind: 'replay' as const, fps: 30 }, model: { importRoots: [packages] } };
    let engine = await start(dataDir, config);
    // The configured model is a registered version from the start (issue 12).
    const configured = engine.listModels().find((m) => m.configured)!;
    expect(configured).toMatchObject({ name: 'demo-cherry', version: '1.0.1', active: true, use: { line: true }, rollbackTarget: false });
    expect(engine.getStatus().model).toMatchObject({ name: 'demo-cherry', registryId: configured.id });

    const v1 = await engine.importModel(demoAs(join(packages, 'v1'), '2.0.0'), 'tech-anna');
    expect(v1).toMatchObject({
      alreadyImported: false,
      provider: 'cpu',
      model: { name: 'cherry-line', version: '2.0.0', active: false, importedBy: 'tech-anna' },
    });
    expect((await engine.importModel(join(packages, 'v1'), 'tech-anna')).alreadyImported).toBe(true);
    const v2 = await engine.importModel(writePackage(join(packages, 'v2'), tinyCnn({ name: 'cherry-line', version: '2.1.0' })), 'tech-ben');

    await engine.activateModel(v1.model.id, 'tech-anna', 'new season');
    expect(engine.getStatus().model).toMatchObject({ name: 'cherry-line', version: '2.0.0', registryId: v1.model.id, state: 'ready' });
    await engine.activateModel(v2.model.id, 'tech-ben', 'trial');
    expect(engine.getStatus().model.version).toBe('2.1.0');
    await waitFor('frames on 2.1.0', () => engine.getRecentInspections(1)[0]?.modelVersion === '2.1.0');
    const back = await engine.rollbackModel('tech-anna', 'more false rejects');
    expect(back).toMatchObject({ version: '2.0.0', active: true });
    expect(engine.getStatus().model.version).toBe('2.0.0');
    expect(engine.modelHistory(10).map((h) => [h.action, h.version, h.actor, h.reason])).toEqual([
      ['rollback', '2.0.0', 'tech-anna', 'more false rejects'],
      ['activate', '2.1.0', 'tech-ben', 'trial'],
      ['activate', '2.0.0', 'tech-anna', 'new season'],
    ]);
    expect(engine.listModels().map((m) => [m.version, m.active, m.rollbackTarget])).toEqual([
      ['2.1.0', false, true],
      ['2.0.0', true, false],
      ['1.0.1', false, false],
    ]);
    await engine.stop();
    running.length = 0;

    // The history is append-only, enforced by the database.
    const db = new Database(join(dataDir, 'linesight.sqlite'));
    expect(() => db.prepare('UPDATE model_activations SET actor = ?').run('someone else')).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM model_activations').run()).toThrow(/append-only/);
    db.close();

    engine = await start(dataDir, config);
    expect(engine.getStatus().model).toMatchObject({ name: 'cherry-line', version: '2.0.0', registryId: v1.model.id });
    // Registered once, whatever the number of starts.
    expect(engine.listModels().filter((m) => m.configured)).toEqual([expect.objectContaining({ id: configured.id, active: false })]);
  });

  it('rolls back from the first activation to the configured model, which runs from its folder with its hash checked', async () => {
    const dataDir = tempDir();
    const packages = tempDir();
    const config = { source: { kind: 'replay' as const, fps: 30 }, model: { importRoots: [packages] } };
    const engine = await start(dataDir, config);
    const configured = engine.listModels().find((m) => m.configured)!;
    expect(configured).toMatchObject({ importedBy: 'the station (model.dir in its config)', source: join(DEMO_MODEL_DIR, 'manifest.json') });
    expect(configured.sha256).toBe(configured.sourceSha256);
    await expect(engine.rollbackModel('tech', null)).rejects.toThrow('there is no earlier model to roll back to');
    const next = await engine.importModel(demoAs(join(packages, 'next'), '2.0.0'), 'tech');
    await engine.activateModel(next.model.id, 'tech', 'trial');
    expect(engine.listModels().find((m) => m.rollbackTarget)?.id).toBe(configured.id);
    const back = await engine.rollbackModel('tech', 'back to the bundled model');
    expect(back).toMatchObject({ id: configured.id, name: 'demo-cherry', version: '1.0.1', active: true, configured: true });
    expect(engine.getStatus().model).toMatchObject({ name: 'demo-cherry', version: '1.0.1', registryId: configured.id, state: 'ready' });
    await waitFor('frames on the configured model again', () => engine.getRecentInspections(1)[0]?.modelVersion === '1.0.1');
    expect(engine.modelHistory(10).map((h) => [h.action, h.name, h.version])).toEqual([
      ['rollback', 'demo-cherry', '1.0.1'],
      ['activate', 'cherry-line', '2.0.0'],
    ]);
    // Not copied: the data dir holds only the imported model.
    expect(existsSync(join(dataDir, 'models', 'demo-cherry'))).toBe(false);
    expect(existsSync(join(dataDir, 'models', 'cherry-line', '2.0.0', 'model.onnx'))).toBe(true);
  });

  it('checks the configured file at every load, and never takes another file for it under its name and version', async () => {
    const dataDir = tempDir();
    const packages = tempDir();
    const folder = demoAs(join(tempDir(), 'configured'), '5.0.0');
    const config = { source: { kind: 'replay' as const, fps: 30 }, model: { importRoots: [packages] } };
    const first = await start(dataDir, config, { modelDir: folder });
    const registered = first.listModels().find((m) => m.configured)!;
    expect(registered).toMatchObject({ name: 'cherry-line', version: '5.0.0' });
    const next = await first.importModel(demoAs(join(packages, 'next'), '6.0.0'), 'tech');
    await first.activateModel(next.model.id, 'tech', null);
    // The same name and version, another file (its manifest matching it): a rollback refuses to load it.
    const tiny = tinyCnn({ name: 'cherry-line', version: '5.0.0' });
    writePackage(folder, tiny);
    await expect(first.rollbackModel('tech', null)).rejects.toThrow(/cherry-line 5\.0\.0 .* was changed since it was registered/);
    expect(first.getStatus().model).toMatchObject({ version: '6.0.0', state: 'ready' });
    await first.stop();
    running.length = 0;
    // Started again: the registry's active model runs; the changed file is not registered, and the station says why.
    const engine = await start(dataDir, config, { modelDir: folder });
    expect(engine.getStatus().model).toMatchObject({ version: '6.0.0', registryId: next.model.id });
    expect(engine.recentEvents(20).map((e) => e.message)).toContainEqual(
      expect.stringMatching(
        /the configured model cherry-line 5\.0\.0 .* is a different file from the one registered under that name and version .* a rollback cannot return to it/,
      ),
    );
    // The registered record still names the first file, and is no longer shown as the configured model: the file
    // model.dir holds now is another one.
    expect(engine.listModels().map((m) => [m.id, m.sha256, m.configured])).toEqual([
      [next.model.id, next.model.sha256, false],
      [registered.id, registered.sha256, false],
    ]);
  });

  it('says at import what a package can be used for, and refuses at once to activate one that cannot drive the line', async () => {
    const dataDir = tempDir();
    const packages = tempDir();
    const engine = await start(dataDir, { source: { kind: 'replay', fps: 30 }, model: { importRoots: [packages] } });
    const tiny = tinyCnn({ name: 'no-reject', version: '1' });
    const { rejectLabel: _rejectLabel, ...manifest } = tiny.manifest as Record<string, unknown>;
    const imported = await engine.importModel(writePackage(join(packages, 'no-reject'), { bytes: tiny.bytes, manifest: manifest as never }), 'tech');
    expect(imported.model.use).toEqual({ line: false, words: 'cannot drive the line: its manifest names no rejectLabel, the class that means reject' });
    await expect(engine.activateModel(imported.model.id, 'tech', null)).rejects.toThrow(
      'no-reject 1 cannot drive the line: its manifest names no rejectLabel, the class that means reject',
    );
    // Refused before anything was loaded: the running model is untouched and nothing was switched.
    expect(engine.getStatus().model).toMatchObject({ name: 'demo-cherry', state: 'ready' });
    expect(engine.modelHistory(10)).toEqual([]);
  });

  it('refuses every bad model with its own message, and the line keeps running on the active model', async () => {
    const dataDir = tempDir();
    const packages = tempDir();
    const engine = await start(dataDir, { source: { kind: 'replay', fps: 50 }, model: { importRoots: [packages] } });
    const good = await engine.importModel(demoAs(join(packages, 'good'), '3.0.0'), 'tech');
    await engine.activateModel(good.model.id, 'tech', null);
    const framesBefore = engine.getStatus().frames.classified;

    const tiny = tinyCnn({ name: 'bad', version: '1' });
    const truncated = writePackage(join(packages, 'truncated'), tiny);
    writeFileSync(join(truncated, 'model.onnx'), tiny.bytes.subarray(0, 300));
    writeFileSync(
      join(truncated, 'manifest.json'),
      JSON.stringify({ ...tiny.manifest, sha256: createHash('sha256').update(tiny.bytes.subarray(0, 300)).digest('hex') }),
    );
    expect(await importError(engine, truncated)).toMatch(/ends in the middle of the model .* truncated/);

    const notOnnx = writePackage(join(packages, 'not-onnx'), {
      bytes: Buffer.from('PK\x03\x04 a zip file, not a model'),
      manifest: { ...tiny.manifest, sha256: '' },
    });
    const notOnnxBytes = readFileSync(join(notOnnx, 'model.onnx'));
    writeFileSync(join(notOnnx, 'manifest.json'), JSON.stringify({ ...tiny.manifest, sha256: createHash('sha256').update(notOnnxBytes).digest('hex') }));
    expect(await importError(engine, notOnnx)).toMatch(/not an ONNX model/);

    const wrongShape = writePackage(join(packages, 'wrong-shape'), tiny, {
      preprocessing: { ...(tiny.manifest as { preprocessing: object }).preprocessing, width: 64, height: 64 },
    });
    expect(await importError(engine, wrongShape)).toMatch(/input "image" takes 32×32 pixels .* but the manifest preprocesses to 64×64/);

    const mismatch = writePackage(join(packages, 'mismatch'), tiny, { labels: ['cherry_clean', 'cherry_pit', 'stem'] });
    expect(await importError(engine, mismatch)).toMatch(/gives 2 scores per item but the manifest has 3 labels/);

    const swapped = writePackage(join(packages, 'swapped'), tiny, { sha256: 'a'.repeat(64) });
    expect(await importError(engine, swapped)).toMatch(/does not match its manifest .* changed, truncated or swapped/);

    // A ZipMap model is repaired on import (and said so), but cannot drive the line.
    const trees = await engine.importModel(writePackage(join(packages, 'trees'), zipMapTrees()), 'tech');
    expect(trees.model.notes.join()).toMatch(/ZipMap .* rewritten/);
    expect(trees.model.use).toEqual({ line: false, words: 'a sensor model: for machine health (sensors.model in the config), it cannot drive the line' });
    await expect(engine.activateModel(trees.model.id, 'tech', null)).rejects.toThrow(/a sensor model: for machine health .* it cannot drive the line/);

    // Denormal weights are reported and the stored copy is flushed.
    const denormal = await engine.importModel(writePackage(join(packages, 'denormal'), tinyCnn({ name: 'slow', version: '1', denormalWeights: true })), 'tech');
    expect(denormal.model.notes.join()).toMatch(/108 denormal float\(s\) .* flushed to zero/);
    expect(denormal.model.sha256).not.toBe(denormal.model.sourceSha256);

    // A stored model that was changed on disk is refused at load.
    const stored = join(dataDir, 'models', 'slow', '1', 'model.onnx');
    writeFileSync(stored, Buffer.concat([readFileSync(stored), Buffer.from([0])]));
    await expect(engine.activateModel(denormal.model.id, 'tech', null)).rejects.toThrow(/does not match its manifest|changed since it was imported/);

    const status = engine.getStatus();
    expect(status.model).toMatchObject({ name: 'cherry-line', version: '3.0.0', registryId: good.model.id, state: 'ready' });
    await waitFor('the line to keep classifying', () => engine.getStatus().frames.classified > framesBefore + 10);
    expect(
      engine
        .listModels()
        .filter((m) => m.active)
        .map((m) => m.version),
    ).toEqual(['3.0.0']);
  });

  it('swaps models at full speed: every frame one decision, each from one model version, switching between frames', async () => {
    const dataDir = tempDir();
    const packages = tempDir();
    const engine = await start(dataDir, {
      source: { kind: 'replay', fps: 120 },
      storage: { flushIntervalMs: 50, flushRows: 256 },
      model: { importRoots: [packages] },
    });
    const a = await engine.importModel(demoAs(join(packages, 'a'), '4.0.0'), 'tech');
    const b = await engine.importModel(writePackage(join(packages, 'b'), tinyCnn({ name: 'cherry-line', version: '4.1.0' })), 'tech');
    const swaps = [a, b, a, b];
    for (const target of swaps) {
      const seen = engine.getStatus().frames.seen;
      await waitFor('frames between swaps', () => engine.getStatus().frames.seen > seen + 30);
      await engine.activateModel(target.model.id, 'tech', 'swap test');
    }
    const seen = engine.getStatus().frames.seen;
    await waitFor('frames after the last swap', () => engine.getStatus().frames.seen > seen + 30);
    await engine.stop();
    running.length = 0;
    const finalStatus = engine.getStatus();

    const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT frame_id, model_name, model_version, decision, fail_safe_reason FROM inspections ORDER BY frame_id').all() as {
      frame_id: number;
      model_name: string;
      model_version: string;
      fail_safe_reason: string | null;
    }[];
    db.close();
    // One decision per frame the source delivered, no frame twice.
    expect(rows.length).toBe(finalStatus.frames.seen);
    expect(new Set(rows.map((r) => r.frame_id)).size).toBe(rows.length);
    expect(rows.map((r) => r.frame_id)).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
    // Each from exactly one known model version; the scored frames change version exactly once per swap.
    const versions = new Set(['1.0.1', '4.0.0', '4.1.0']);
    for (const r of rows) expect(versions.has(r.model_version), `${r.model_name} ${r.model_version}`).toBe(true);
    const scored = rows.filter((r) => r.fail_safe_reason === null || !r.fail_safe_reason.startsWith('queue'));
    const changes = scored.filter((r, i) => i > 0 && r.model_version !== scored[i - 1]!.model_version).length;
    expect(changes).toBe(swaps.length);
    expect(scored.filter((r) => r.fail_safe_reason !== null)).toEqual([]);
  });

  it('fails safe the frames a dead worker held, starts the worker again, and carries on', async () => {
    const dataDir = tempDir();
    const engine = await start(
      dataDir,
      { source: { kind: 'replay', fps: 40 } },
      { inferenceWorker: { file: join(ROOT, 'test', 'fixtures', 'crashing-worker.ts'), execArgv: ['--require', 'tsx/cjs'] } },
    );
    await waitFor('the worker to die and come back', () => engine.getStatus().model.workerRestarts >= 1, 20_000);
    const after = engine.getStatus().frames.classified;
    await waitFor('frames classified by the new worker', () => engine.getStatus().frames.classified > after + 1);
    const failed = engine.getRecentInspections(500).filter((i) => i.failSafeReason);
    expect(failed.length).toBeGreaterThan(0);
    for (const item of failed) {
      expect(item.decision).toBe('pit');
      expect(item.failSafeReason).toMatch(/inference failed: inference worker (stopped unexpectedly \(exit code 3\)|is restarting)/);
    }
  });
});
