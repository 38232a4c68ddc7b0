/**
 * Recipes (issue 17, shared/recipes.ts): saving them, and switching the line
 * to one — by a technician, the PLC's index or an OPC UA client. A switch is
 * a model activation with the recipe's thresholds taking effect at the same
 * switch (model-service.ts): the new model instance loads beside the running
 * one, and the line moves to it between two items; the instance replaced keeps
 * its own thresholds for its last items. So every item is decided by one
 * recipe's model and thresholds, never a mix — also when two recipes share a
 * model (it is loaded again, as its own instance). Recorded in the audit
 * trail in the same transaction as the thresholds; exported and imported as
 * files (recipe-files.ts).
 */
import type { Thresholds } from '../../shared/manifest';
import { RecipeDraftSchema, type Recipe, type RecipeDraft, type RecipeState, type RecipeValidation } from '../../shared/recipes';
import { z } from 'zod';
import type { Logger } from '../logger';
import type { AuditTrail } from '../storage/audit-trail';
import type { CalibrationStore } from '../storage/calibration-store';
import type { MainWrites } from '../storage/main-writes';
import type { RecipeStore } from '../storage/recipe-store';
import type { SettingsStore } from '../storage/settings-store';
import type { ModelService } from './model-service';
import type { ThresholdSettings } from './threshold-settings';
import { RECIPE_STATE } from '../plc/plc-map';
import { messageOf } from '../error-message';

/** A recipe change or switch refused, in words a technician acts on. */
export class RecipeError extends Error {
  override readonly name = 'RecipeError';
}

const CURRENT_SETTING = 'recipe';
const CurrentSchema = z.object({ id: z.number().int(), at: z.string(), by: z.string() });

/** Who asked for a switch: a person on a page, the PLC's RECIPE_REQUEST, an OPC UA client. */
export type SwitchVia = 'technician' | 'plc' | 'opcua';
export type RecipeTarget = { readonly id: number } | { readonly index: number } | { readonly name: string };

export interface RecipeServiceDeps {
  readonly store: RecipeStore;
  readonly models: ModelService;
  readonly thresholds: ThresholdSettings;
  readonly calibrations: CalibrationStore;
  readonly settingsStore: SettingsStore;
  readonly writes: MainWrites;
  readonly audit: AuditTrail;
  readonly logger: Logger;
  /** Told each change of recipes or of the switch (the OPC UA server's Recipe variable). */
  onChange?: (state: RecipeState) => void;
}

const sameThresholds = (a: Thresholds, b: Thresholds): boolean => a.pit === b.pit && a.maybe === b.maybe;

export class RecipeService {
  private switching: RecipeState['switching'] = null;
  private lastFailure: RecipeState['lastFailure'] = null;
  /** A PLC request that came while a switch was loading: the latest wins, taken when that switch ends. */
  private plcNext: number | null = null;
  /** The index the PLC asked for last and was refused: not tried again until it writes 0 or another index. */
  private refusedIndex: number | null = null;

  private current: { recipe: Recipe; at: string; by: string } | null = null;

  constructor(private readonly deps: RecipeServiceDeps) {
    this.reloadCurrent();
  }

  state(): RecipeState {
    const c = this.current;
    const current = c ? { id: c.recipe.id, name: c.recipe.name, index: c.recipe.index, at: c.at, by: c.by, inForce: this.inForce(c.recipe) } : null;
    return { recipes: this.deps.store.list(), current, switching: this.switching, lastFailure: this.lastFailure };
  }

  /** The model and thresholds in force are still the recipe's (a technician may have changed either since). */
  private inForce(recipe: Recipe): boolean {
    return this.deps.models.registryId === recipe.model.id && sameThresholds(this.deps.thresholds.current, recipe.thresholds);
  }

  /** The recipe last switched to, read again from the log (after a switch, a change or a deletion). */
  private reloadCurrent(): void {
    const stored = this.deps.settingsStore.get(CURRENT_SETTING, CurrentSchema);
    const recipe = stored ? this.deps.store.get(stored.value.id) : null;
    this.current = stored && recipe ? { recipe, at: stored.value.at, by: stored.value.by } : null;
  }

  /** The recipe in force for the status (each second, and the PLC's every read): from memory, no query. */
  summary(): { readonly name: string; readonly index: number; readonly inForce: boolean; readonly switching: string | null } | null {
    const recipe = this.current?.recipe ?? null;
    if (!recipe && !this.switching) return null;
    return { name: recipe?.name ?? '', index: recipe?.index ?? 0, switching: this.switching?.name ?? null, inForce: recipe !== null && this.inForce(recipe) };
  }

  /** The PLC's view: the index in force (0: none, or no longer in force) and the switch's state. */
  plcIndex(): number {
    const recipe = this.current?.recipe;
    return recipe && this.inForce(recipe) ? recipe.index : 0;
  }

  plcState(): number {
    return this.switching ? RECIPE_STATE.switching : this.lastFailure ? RECIPE_STATE.refused : RECIPE_STATE.inForce;
  }

  /** What the model has been validated with on this station now: its parity finding and newest calibration. */
  validationOf(modelId: number): RecipeValidation {
    const record = this.deps.models.list().find((m) => m.id === modelId);
    if (!record) throw new RecipeError(`there is no model with id ${modelId} in the registry`);
    const calibration =
      this.deps.calibrations.latest({ name: record.name, version: record.version, sha256: record.sha256 }) ??
      this.deps.calibrations.latest({ name: record.name, version: record.version, sha256: record.sourceSha256 });
    return {
      parity: record.parity ? { passed: record.parity.passed, provider: record.parity.provider, at: record.parity.at } : null,
      calibration: calibration
        ? { at: calibration.at, by: calibration.by, items: calibration.nDefect + calibration.nGood, recallLowerBound: calibration.recallLowerBound }
        : null,
    };
  }

  /** A new recipe or a change to one, audited. */
  save(draft: RecipeDraft, actor: string): Recipe {
    const d = RecipeDraftSchema.parse(draft);
    const { store, models, audit } = this.deps;
    const old = d.id !== undefined ? store.get(d.id) : null;
    if (d.id !== undefined && !old) throw new RecipeError(`there is no recipe with id ${d.id}`);
    const model = models.list().find((m) => m.id === d.modelId);
    if (!model) throw new RecipeError(`there is no model with id ${d.modelId} in the registry`);
    if (!model.use.line) throw new RecipeError(`${model.name} ${model.version} ${model.use.words}`);
    const sameIndex = store.byIndex(d.index);
    if (sameIndex && sameIndex.id !== d.id)
      throw new RecipeError(`index ${d.index} is already recipe "${sameIndex.name}"'s: the PLC must find one recipe by it`);
    const sameName = store.byName(d.name);
    if (sameName && sameName.id !== d.id) throw new RecipeError(`there is already a recipe named "${d.name}"`);
    const at = new Date();
    const fields = {
      index: d.index,
      name: d.name,
      description: d.description,
      modelId: d.modelId,
      thresholds: d.thresholds,
      validatedWith: this.validationOf(d.modelId),
    };
    const id = store.save(d.id ?? null, fields, actor, at, (saved) =>
      audit.record({
        ...{ at, actor, subject: 'recipe', old: old ? this.described(old) : null },
        new: { action: old ? 'change' : 'create', id: saved, index: d.index, name: d.name, model: `${model.name} ${model.version}`, thresholds: d.thresholds },
        reason: null,
      }),
    );
    this.changed();
    return store.get(id)!;
  }

  delete(id: number, actor: string): void {
    const { store, audit } = this.deps;
    const old = store.get(id);
    if (!old) throw new RecipeError(`there is no recipe with id ${id}`);
    if (this.switching?.name === old.name) throw new RecipeError(`recipe "${old.name}" is being switched to; delete it once that is done`);
    const at = new Date();
    store.delete(id, () => audit.record({ at, actor, subject: 'recipe', old: this.described(old), new: { action: 'delete', id }, reason: null }));
    this.changed();
  }

  /**
   * Switches the line to a recipe between two items; resolves once it is in force. Refused while another switch
   * loads, for an unknown recipe, or for a model that cannot drive the line; a model that fails to load (or the
   * parity gate) leaves the running recipe in force, and says why.
   */
  async switchTo(target: RecipeTarget, actor: string, reason: string | null, via: SwitchVia): Promise<RecipeState> {
    const recipe = this.find(target);
    if (this.switching) throw new RecipeError(`recipe "${this.switching.name}" is being switched to; try again once it is in force`);
    const { models, thresholds, writes, audit, settingsStore, logger } = this.deps;
    const before = this.current?.recipe ?? null;
    const since = new Date().toISOString();
    this.switching = { name: recipe.name, index: recipe.index, by: actor, since };
    this.changed();
    const why = `recipe "${recipe.name}" (${recipe.index}) by ${via}${reason ? `: ${reason}` : ''}`.slice(0, 500);
    try {
      const old = thresholds.current;
      await models.activate(recipe.model.id, actor, why, {
        old,
        // In the same tick as the switch: the recipe, its thresholds and the audit entry, all written or none.
        apply: () => {
          const at = new Date();
          writes.run('the recipe switch', () => {
            audit.record({
              ...{ at, actor, subject: 'recipe', old: before ? { id: before.id, name: before.name, index: before.index } : null },
              new: { action: 'switch', via, ...this.described(recipe) },
              reason,
            });
            settingsStore.set(CURRENT_SETTING, { id: recipe.id, at: at.toISOString(), by: actor }, actor, reason, at);
            if (!sameThresholds(old, recipe.thresholds)) thresholds.set(recipe.thresholds, actor, `recipe "${recipe.name}"`);
          });
        },
      });
      this.lastFailure = null;
      logger.info(
        `recipe "${recipe.name}" (${recipe.index}) is in force: ${recipe.model.name} ${recipe.model.version}, pit ≥ ${recipe.thresholds.pit}, maybe ≥ ${recipe.thresholds.maybe}`,
      );
    } catch (err) {
      const message = `recipe "${recipe.name}" was not switched to: ${messageOf(err)}`;
      this.lastFailure = { name: recipe.name, at: new Date().toISOString(), by: actor, message };
      logger.warn(message);
      throw new RecipeError(message, { cause: err });
    } finally {
      this.switching = null;
      this.changed();
      this.takePlcNext();
    }
    return this.state();
  }

  /**
   * The PLC wrote RECIPE_REQUEST (every write, the same value too): switched now, or after the switch under way (the
   * latest request wins). Asking again for the index last refused does nothing until the PLC writes 0 or another
   * index — a PLC that writes its request every scan must not load a failing model over and over.
   */
  plcRequest(index: number): void {
    if (index === 0) {
      this.refusedIndex = null;
      return;
    }
    if (this.switching) {
      this.plcNext = index;
      return;
    }
    if (index === this.refusedIndex) return;
    const inForce = this.current && this.inForce(this.current.recipe) ? this.current.recipe : null;
    if (inForce?.index === index) {
      // Already in force: the PLC's earlier refusal (another index) no longer describes the line.
      if (this.lastFailure) {
        this.lastFailure = null;
        this.changed();
      }
      return;
    }
    const recipe = this.deps.store.byIndex(index);
    if (!recipe) {
      // RECIPE_STATE says 2 until a request succeeds; the recipe in force stays.
      this.refusedIndex = index;
      this.lastFailure = { name: `index ${index}`, at: new Date().toISOString(), by: 'plc', message: `the PLC asked for recipe ${index}: there is none` };
      this.deps.logger.warn(this.lastFailure.message);
      this.changed();
      return;
    }
    // A failure is told by switchTo (RECIPE_STATE 2, the log, the page).
    this.switchTo({ id: recipe.id }, 'plc', `the PLC asked for recipe ${index}`, 'plc').then(
      () => (this.refusedIndex = null),
      () => (this.refusedIndex = index),
    );
  }

  private takePlcNext(): void {
    const next = this.plcNext;
    this.plcNext = null;
    if (next !== null) setImmediate(() => this.plcRequest(next));
  }

  private find(target: RecipeTarget): Recipe {
    const { store } = this.deps;
    const recipe = 'id' in target ? store.get(target.id) : 'index' in target ? store.byIndex(target.index) : store.byName(target.name);
    if (recipe) return recipe;
    throw new RecipeError(
      'id' in target
        ? `there is no recipe with id ${target.id}`
        : 'index' in target
          ? `there is no recipe with index ${target.index}`
          : `there is no recipe named "${target.name}"`,
    );
  }

  private described(r: Recipe): Record<string, unknown> {
    return { id: r.id, index: r.index, name: r.name, model: `${r.model.name} ${r.model.version}`, thresholds: r.thresholds };
  }

  private changed(): void {
    this.reloadCurrent();
    try {
      this.deps.onChange?.(this.state());
    } catch (err) {
      this.deps.logger.warn(`recipe state not told: ${messageOf(err)}`);
    }
  }
}
