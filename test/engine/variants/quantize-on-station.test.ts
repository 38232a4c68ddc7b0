/**
 * Making an INT8 variant on the real station (issue 18), through the API a technician's page uses: the running demo
 * model quantised in the quantise worker on pictures from a stick, with progress; the variant registered with its
 * provenance, not active; refused on the line until it is calibrated on a labelled set, then activated through the
 * parity gate; a folder outside the import folders, a second run while one runs, a variant of a variant and a
 * cancelled run each refused or stopped with words a technician reads.
 */
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApiHandlers } from '../../../src/engine/api/handlers';
import { dispatch } from '../../../src/engine/api/dispatch';
import type { StationEngine } from '../../../src/engine/station-engine';
import { DEFAULT_CALIBRATION_OPTIONS } from '../../../src/shared/calibration';
import type { OperationName, ReplyOf, RequestOf, Result } from '../../../src/shared/contract';
import type { QuantizeProgress } from '../../../src/shared/quantize';
import { useRunningEngines } from '../../helpers/engine';
import { DEMO_FRAMES_DIR, HELDOUT_DIR } from '../../helpers/paths';
import { useTempDirs } from '../../helpers/temp-dir';

/** The engine's API as a signed-in technician asks it (dispatch: the contract's parsing and access, as both transports). */
async function technician(engine: StationEngine) {
  const session = engine.sessions.open('ipc', 'desktop');
  await session.signIn('technician', '1234');
  const handlers = createApiHandlers(engine);
  return <K extends OperationName>(op: K, request: RequestOf<K>): Promise<Result<ReplyOf<K>>> =>
    dispatch(handlers, op, request, engine.apiCounters, session) as Promise<Result<ReplyOf<K>>>;
}

function valueOf<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`refused: ${r.error}`);
  return r.value;
}

describe('an INT8 variant made on the station', () => {
  const tempDir = useTempDirs();
  const engines = useRunningEngines();

  /** A stick with pictures of the line (the demo's frames) and a labelled set (the demo's held-out cherries): copies, the station follows no link out. */
  function stick(): { root: string; frames: string; labelled: string } {
    const root = tempDir();
    const frames = join(root, 'frames');
    const labelled = join(root, 'cherries');
    cpSync(DEMO_FRAMES_DIR, frames, { recursive: true });
    cpSync(HELDOUT_DIR, labelled, { recursive: true });
    return { root, frames, labelled };
  }

  it('quantises in the worker with progress, registers the variant, and lets it go live only once calibrated', async () => {
    const { root, frames, labelled } = stick();
    const dataDir = tempDir();
    const engine = await engines.start(dataDir, { source: { kind: 'replay', fps: 10 }, sensors: { sources: [] }, model: { importRoots: [root] } });
    const ask = await technician(engine);
    const float = engine.listModels().find((m) => m.configured)!;
    expect(float).toMatchObject({ name: 'demo-cherry', quantized: null });
    const progress: QuantizeProgress[] = [];
    engine.on('quantizeProgress', (p) => progress.push(p));
    const before = engine.getStatus().frames.classified;

    // Outside the import folders (the station's own data folder): refused before a picture is read.
    const outside = await ask('quantizeModel', { modelId: float.id, frames: dataDir });
    expect(outside).toMatchObject({
      ok: false,
      error: expect.stringMatching(/is not under an import folder: calibration pictures are read only from /) as string,
    });

    const running = ask('quantizeModel', { modelId: float.id, frames, method: 'percentile', maxFrames: 120, taskId: 'q-1' });
    // One at a time: a second is refused while the first runs.
    const second = await ask('quantizeModel', { modelId: float.id, frames });
    expect(second).toMatchObject({ ok: false, error: 'an INT8 variant of demo-cherry 1.0.1 is being made: wait for it to finish or cancel it' });
    const made = valueOf(await running);

    // The variant: registered (by the normal import: probed, stored in the data folder), not active, with its provenance.
    const variant = made.model;
    expect(variant).toMatchObject({ name: 'demo-cherry', version: '1.0.1-int8', active: false, importedBy: 'technician (desktop)', use: { line: true } });
    expect(variant.quantized).toMatchObject({
      from: { name: 'demo-cherry', version: '1.0.1', sha256: float.sha256 },
      method: 'percentile 99.99 on 120 frames',
      certified: null,
      blocked: expect.stringMatching(
        /needs calibration before it can go live: calibrate demo-cherry 1\.0\.1-int8 on a labelled set first \(Thresholds page/,
      ) as string,
    });
    expect(made.report).toMatchObject({ frames: 120, passedOver: 0, method: 'percentile 99.99' });
    expect(made.report.quantizedNodes).toBeGreaterThan(0);
    expect(made.report.floatNodes).toContain('Softmax_10');
    expect(variant.source.startsWith(join(dataDir, 'quantized'))).toBe(true);
    const stored = JSON.parse(readFileSync(join(dataDir, 'models', 'demo-cherry', '1.0.1-int8', 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(stored).toMatchObject({
      precision: 'reduced',
      provenance: { quantizedFrom: { name: 'demo-cherry', version: '1.0.1' }, quantization: { frames: 120 } },
    });
    expect(stored['calibration']).toBeUndefined();
    // Nothing written on the stick.
    expect(readdirSync(root).sort()).toEqual(['cherries', 'frames']);

    // Progress: every stage in order, the frames measured counted up to all of them.
    expect(progress.every((p) => p.taskId === 'q-1')).toBe(true);
    const stages = progress.map((p) => p.stage).filter((s, i, all) => s !== all[i - 1]);
    expect(stages).toEqual(['reading', 'measuring', 'writing', 'importing']);
    expect(progress.filter((p) => p.stage === 'measuring').at(-1)).toMatchObject({ done: 120, total: 120, message: 'measuring activation ranges: 120 of 120' });
    // Audited under the technician, and the line kept deciding.
    expect(engine.auditTrail(5).find((a) => a.subject === 'model')).toMatchObject({
      actor: 'technician (desktop)',
      old: { name: 'demo-cherry', version: '1.0.1' },
      new: { name: 'demo-cherry', version: '1.0.1-int8', action: 'quantize', frames: 120 },
    });
    expect(engine.getStatus().frames.classified).toBeGreaterThan(before);

    // Not on the line before its recall is certified again: refused with what to do.
    const refused = await ask('activateModel', { id: variant.id, reason: 'faster' });
    expect(refused).toMatchObject({
      ok: false,
      error: expect.stringMatching(
        /^demo-cherry 1\.0\.1-int8 is an INT8 variant of demo-cherry 1\.0\.1 and needs calibration before it can go live: calibrate .* on a labelled set first \(Thresholds page/,
      ) as string,
    });
    expect(engine.getStatus().model.version).toBe('1.0.1');
    // Nor by a recipe: the same rule, wherever the switch comes from.
    const recipe = valueOf(await ask('saveRecipe', { index: 2, name: 'cherries int8', modelId: variant.id, thresholds: { pit: 0.75, maybe: 0.5 } }));
    const switched = await ask('switchRecipe', { id: recipe.id });
    expect(switched).toMatchObject({ ok: false, error: expect.stringContaining('needs calibration before it can go live') as string });
    expect(engine.getStatus().model.version).toBe('1.0.1');
    // A variant is not quantised again.
    expect(await ask('quantizeModel', { modelId: variant.id, frames })).toMatchObject({
      ok: false,
      error: 'demo-cherry 1.0.1-int8 is already reduced precision (an INT8 variant of demo-cherry 1.0.1): make the variant from the full-precision model',
    });

    // Calibrated on a labelled set through the line's path: certified, and then it goes live (through the parity gate).
    const calibration = valueOf(await ask('calibrateModel', { data: labelled, options: DEFAULT_CALIBRATION_OPTIONS, split: 'all', modelId: variant.id }));
    expect(calibration.model).toMatchObject({ name: 'demo-cherry', version: '1.0.1-int8' });
    expect(calibration.thresholds).not.toBeNull();
    expect(engine.listModels().find((m) => m.id === variant.id)!.quantized).toMatchObject({
      certified: { at: calibration.at, by: 'technician (desktop)' },
      blocked: null,
    });
    const live = valueOf(await ask('activateModel', { id: variant.id, reason: 'INT8, calibrated' }));
    expect(live).toMatchObject({ version: '1.0.1-int8', active: true, parity: { passed: true } });
    expect(engine.getStatus().model.version).toBe('1.0.1-int8');
  }, 120_000);

  it('stops at a cancel, leaving nothing in the registry or the data folder, then makes the next variant under a version of its own', async () => {
    const { root, frames } = stick();
    const dataDir = tempDir();
    const engine = await engines.start(dataDir, { source: { kind: 'replay', fps: 5 }, sensors: { sources: [] }, model: { importRoots: [root] } });
    const ask = await technician(engine);
    const float = engine.listModels().find((m) => m.configured)!;
    const off = engine.on('quantizeProgress', (p) => {
      if (p.stage === 'measuring') void ask('cancelQuantization', {});
    });
    const cancelled = await ask('quantizeModel', { modelId: float.id, frames, method: 'minmax' });
    off();
    expect(cancelled).toEqual({ ok: false, error: 'it was cancelled: no variant was added to the registry' });
    expect(engine.listModels().map((m) => m.version)).toEqual(['1.0.1']);
    expect(existsSync(join(dataDir, 'quantized')) ? readdirSync(join(dataDir, 'quantized')) : []).toEqual([]);
    expect(valueOf(await ask('cancelQuantization', {}))).toEqual({ cancelled: false });

    const first = valueOf(await ask('quantizeModel', { modelId: float.id, frames, method: 'mse', maxFrames: 30 }));
    const again = valueOf(await ask('quantizeModel', { modelId: float.id, frames, method: 'minmax', maxFrames: 30 }));
    expect([first.model.version, again.model.version]).toEqual(['1.0.1-int8', '1.0.1-int8.2']);
    expect([first.model.quantized?.method, again.model.quantized?.method]).toEqual(['least squared error on 30 frames', 'MinMax on 30 frames']);
  }, 120_000);
});
