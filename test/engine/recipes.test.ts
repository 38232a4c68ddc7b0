/**
 * Recipes (issue 17, src/engine/station/recipe-service.ts) on the running station: switched by the PLC's recipe
 * index mid-run, with triggers coming all the while, and no item decided by a mix of two recipes' model and
 * thresholds; switched by a technician (audited); a recipe that no longer describes the line says so; exported to a
 * file and imported on another station, where a recipe whose model is missing is refused with its reason, and a
 * hostile file is refused whole.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type ModbusRTU from 'modbus-serial';
import { afterEach, describe, expect, it } from 'vitest';
import { HOLDING, INPUT, INPUTS, RECIPE_STATE } from '../../src/engine/plc/plc-map';
import type { StationEngine } from '../../src/engine/station-engine';
import { tinyCnn, writePackage } from '../fixtures/test-models';
import { useRunningEngines } from '../helpers/engine';
import { freePort } from '../helpers/free-port';
import { plcClient, sleep, takeResult, trigger, type Result } from '../helpers/plc-simulator';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

const A = { pit: 0.75, maybe: 0.5 };
const B = { pit: 0.6, maybe: 0.35 };

/** Two recipes: the configured demo model with A's thresholds (index 1), another model (cherry-line 2.0.0) with B's (index 2). */
async function twoRecipes(engine: StationEngine, packages: string): Promise<{ a: number; b: number; modelB: number }> {
  const configured = engine.listModels().find((m) => m.configured)!;
  const imported = await engine.importModel(writePackage(join(packages, 'b'), tinyCnn({ name: 'cherry-line', version: '2.0.0' })), 'tech-anna');
  const a = engine.recipes.save({ index: 1, name: 'Kordia 28+', modelId: configured.id, thresholds: A }, 'tech-anna');
  const b = engine.recipes.save({ index: 2, name: 'Regina 26', description: 'late season', modelId: imported.model.id, thresholds: B }, 'tech-anna');
  return { a: a.id, b: b.id, modelB: imported.model.id };
}

describe('recipes', () => {
  const tempDir = useTempDirs();
  const engines = useRunningEngines();
  const clients: ModbusRTU[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await new Promise<void>((r) => c.close(() => r()));
  });

  it('switches by the PLC’s index between two items while triggers keep coming: no item decided by a mix of recipes', async () => {
    const port = await freePort();
    const dir = tempDir();
    const packages = tempDir();
    const engine = await engines.start(dir, {
      source: { kind: 'replay', fps: 200, loop: true },
      sensors: { sources: [] },
      model: { importRoots: [packages] },
      plc: { kind: 'modbus-tcp', port },
    });
    await twoRecipes(engine, packages);
    const plc = await plcClient(port);
    clients.push(plc);
    const recipeRegisters = async (): Promise<{ current: number; state: number }> => {
      const ir = (await plc.readInputRegisters(0, INPUTS)).data;
      return { current: ir[INPUT.RECIPE_CURRENT]!, state: ir[INPUT.RECIPE_STATE]! };
    };
    expect(await recipeRegisters()).toEqual({ current: 0, state: RECIPE_STATE.inForce });
    // The lot starts on recipe 1.
    await plc.writeRegister(HOLDING.RECIPE_REQUEST, 1);
    await waitFor('recipe 1 in force', async () => (await recipeRegisters()).current === 1, 20_000);

    // Triggers one after another (each result taken and acknowledged); recipe 2 asked for after the 60th.
    const results: Result[] = [];
    let id = 0;
    let asked = false;
    let switchedAt: number | null = null;
    while (switchedAt === null || id < switchedAt + 60) {
      await trigger(plc, ++id);
      const r = await waitFor(`the result of trigger ${id}`, () => takeResult(plc), 5_000);
      results.push(r);
      if (id === 60) {
        await plc.writeRegister(HOLDING.RECIPE_REQUEST, 2);
        asked = true;
      }
      if (asked && switchedAt === null && (await recipeRegisters()).current === 2) switchedAt = id;
      await sleep(2);
    }
    expect(results.map((r) => r.id)).toEqual(Array.from({ length: id }, (_, i) => i + 1));
    expect(results.filter((r) => r.errorCode !== 0)).toEqual([]);
    expect(engine.getStatus().recipe).toMatchObject({ name: 'Regina 26', index: 2, inForce: true, switching: null });

    // An index with no recipe: refused (RECIPE_STATE 2), the recipe in force stays, the line goes on.
    await plc.writeRegister(HOLDING.RECIPE_REQUEST, 9);
    await waitFor('the refusal', async () => (await recipeRegisters()).state === RECIPE_STATE.refused);
    expect((await recipeRegisters()).current).toBe(2);
    await trigger(plc, ++id);
    expect(await waitFor('a result after the refusal', () => takeResult(plc), 5_000)).toMatchObject({ id, errorCode: 0 });
    // The recipe in force asked for again: the refusal no longer describes the line.
    await plc.writeRegister(HOLDING.RECIPE_REQUEST, 2);
    await waitFor('in force again', async () => (await recipeRegisters()).state === RECIPE_STATE.inForce);
    // A technician switches to 1; the PLC writes 2 again, the same value: asked again, and switched back.
    await engine.recipes.switchTo({ index: 1 }, 'tech-anna', 'a trial lot', 'technician');
    expect((await recipeRegisters()).current).toBe(1);
    await plc.writeRegister(HOLDING.RECIPE_REQUEST, 2);
    await waitFor('recipe 2 again', async () => (await recipeRegisters()).current === 2, 20_000);

    await new Promise<void>((r) => clients.pop()!.close(() => r()));
    await engine.stop();
    const db = new Database(join(dir, 'linesight.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT model_version AS version, pit_threshold AS pit, maybe_threshold AS maybe FROM inspections ORDER BY seq').all() as {
      version: string;
      pit: number;
      maybe: number;
    }[];
    const audit = db.prepare(`SELECT actor, new_json AS new FROM audit WHERE subject = 'recipe' ORDER BY seq`).all() as { actor: string; new: string }[];
    db.close();
    expect(rows).toHaveLength(id);
    // Each item: recipe 1's model with recipe 1's thresholds, or recipe 2's with 2's — never one's model with the other's thresholds.
    const recipeOf = (r: (typeof rows)[number]): 1 | 2 | 'mixed' =>
      r.version === '1.0.1' && r.pit === A.pit && r.maybe === A.maybe ? 1 : r.version === '2.0.0' && r.pit === B.pit && r.maybe === B.maybe ? 2 : 'mixed';
    const seq = rows.map(recipeOf);
    expect(seq.filter((r) => r === 'mixed')).toEqual([]);
    // One switch, between two items: every item before it on recipe 1, every one after on recipe 2.
    const first2 = seq.indexOf(2);
    expect(first2).toBeGreaterThanOrEqual(60);
    expect(seq.slice(0, first2).every((r) => r === 1)).toBe(true);
    expect(seq.slice(first2).every((r) => r === 2)).toBe(true);
    // In the audit trail: created by the technician, switched by the PLC.
    const actions = audit.map((a) => [a.actor, (JSON.parse(a.new) as { action: string; via?: string }).action, (JSON.parse(a.new) as { via?: string }).via]);
    expect(actions).toEqual([
      ['tech-anna', 'create', undefined],
      ['tech-anna', 'create', undefined],
      ['plc', 'switch', 'plc'],
      ['plc', 'switch', 'plc'],
      ['tech-anna', 'switch', 'technician'],
      ['plc', 'switch', 'plc'],
    ]);
  }, 120_000);

  it('is switched by a technician, says when the line no longer runs it, refuses what it cannot keep, and travels as a file', async () => {
    const packages = tempDir();
    const config = { source: { kind: 'replay' as const, fps: 20 }, sensors: { sources: [] }, model: { importRoots: [packages] } };
    const engine = await engines.start(tempDir(), config);
    const { a, b } = await twoRecipes(engine, packages);
    await engine.recipes.switchTo({ id: b }, 'tech-ben', 'lot 4411', 'technician');
    expect(engine.getStatus()).toMatchObject({
      model: { name: 'cherry-line', version: '2.0.0' },
      thresholds: B,
      recipe: { name: 'Regina 26', index: 2, inForce: true },
    });
    // The thresholds changed by hand: the recipe no longer describes the line, and the PLC reads index 0.
    engine.setThresholds({ pit: 0.9, maybe: 0.35 }, 'tech-ben', 'trial');
    expect(engine.getStatus().recipe).toMatchObject({ name: 'Regina 26', inForce: false });
    expect(engine.recipes.plcIndex()).toBe(0);
    // Refused with the reason: an index or a name already taken, a model not in the registry, an unknown recipe.
    const draft = { index: 3, name: 'Sweetheart', modelId: engine.listModels()[0]!.id, thresholds: A };
    expect(() => engine.recipes.save({ ...draft, index: 1 }, 'tech-ben')).toThrow(/index 1 is already recipe "Kordia 28\+"'s/);
    expect(() => engine.recipes.save({ ...draft, name: 'Regina 26' }, 'tech-ben')).toThrow(/already a recipe named "Regina 26"/);
    expect(() => engine.recipes.save({ ...draft, modelId: 999 }, 'tech-ben')).toThrow(/no model with id 999/);
    await expect(engine.recipes.switchTo({ id: 999 }, 'tech-ben', null, 'technician')).rejects.toThrow(/no recipe with id 999/);

    // Exported to the stick, and imported on another station that has only recipe A's model.
    const exported = await engine.exportRecipes(packages);
    expect(exported.recipes).toBe(2);
    const other = await engines.start(tempDir(), config);
    const report = await other.importRecipes(exported.file, 'tech-cleo');
    expect(report.imported).toEqual(['Kordia 28+']);
    expect(report.refused).toEqual([{ name: 'Regina 26', reason: 'its model cherry-line 2.0.0 is not on this station: import the model first' }]);
    const kordia = other.recipes.state().recipes[0]!;
    expect(kordia).toMatchObject({ index: 1, name: 'Kordia 28+', thresholds: A, model: { name: 'demo-cherry' }, createdBy: 'tech-cleo' });
    // Its validation is this station's, not the file's word.
    expect(kordia.validatedWith.parity?.passed ?? null).not.toBe(false);

    // Hostile files: outside the import folders, not JSON, too big, wrong shape — refused whole, nothing saved.
    await expect(other.importRecipes('/etc/passwd', 'tech-cleo')).rejects.toThrow(/not under an import folder/);
    const junk = join(packages, 'junk.json');
    writeFileSync(junk, '{"format": "linesight-recipes", "version": 1, "recipes": [');
    await expect(other.importRecipes(junk, 'tech-cleo')).rejects.toThrow(/is not a LineSight recipe file/);
    writeFileSync(junk, JSON.stringify({ format: 'linesight-recipes', version: 1, exportedAt: 'x', station: 's', recipes: [{ index: 0, name: 'x' }] }));
    await expect(other.importRecipes(junk, 'tech-cleo')).rejects.toThrow(/is not a LineSight recipe file: .*index/);
    writeFileSync(junk, ' '.repeat(1_000_001));
    await expect(other.importRecipes(junk, 'tech-cleo')).rejects.toThrow(/at most 1000000 bytes/);
    expect(other.recipes.state().recipes).toHaveLength(1);
    expect(a).toBeGreaterThan(0);
  }, 120_000);
});
