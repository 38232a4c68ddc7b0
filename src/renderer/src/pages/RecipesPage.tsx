/**
 * Recipes (issue 17): what the line runs for each product — a registered
 * model and its thresholds, under the number the PLC asks for it by
 * (RECIPE_REQUEST). Anyone sees the recipes, the one in force and a switch
 * under way; a signed-in technician switches the line to one (with a reason,
 * audited: the model loads beside the running one and the line moves between
 * two items), saves the line as a recipe, changes or deletes one, and carries
 * them to and from a stick as a file. Whatever the station refuses is shown
 * in its own words, never swallowed.
 */
import { useCallback, useEffect, useState } from 'react';
import type { Thresholds } from '../../../shared/manifest';
import type { ModelRecord } from '../../../shared/models';
import type { Recipe, RecipeDraft, RecipeImportReport, RecipeState, RecipeValidation } from '../../../shared/recipes';
import { useStation } from '../api/station-context';
import { describeThresholds } from '../audit-words';
import { Modal } from '../components/Modal';
import { ReasonDialog } from '../components/ReasonDialog';
import { formatPct, formatTime } from '../format';

/** What the page says when the recipe last switched to is no longer what the line runs. */
export const NOT_IN_FORCE = 'changed by hand since the switch: the line no longer runs this recipe exactly';

const WAITING = 'Sent to the station: waiting for its answer.';

/** The parity check and calibration a recipe's model had when it was saved, in words. */
export function validationWords(v: RecipeValidation): { parity: string; calibration: string } {
  const parity = v.parity
    ? `parity ${v.parity.passed ? 'passed' : 'failed'} on ${v.parity.provider.toUpperCase()} (${formatTime(v.parity.at)})`
    : 'no parity check';
  const calibration = v.calibration
    ? `calibrated ${formatTime(v.calibration.at)} by ${v.calibration.by} on ${v.calibration.items} pictures: ${
        v.calibration.recallLowerBound === null ? 'no recall bound' : `defect recall at least ${formatPct(v.calibration.recallLowerBound)}`
      }`
    : 'not calibrated';
  return { parity, calibration };
}

/** The form's fields as typed (strings: a half-typed number is not a number yet). */
interface Form {
  readonly id: number | null;
  readonly index: string;
  readonly name: string;
  readonly description: string;
  readonly modelId: number | null;
  readonly pit: string;
  readonly maybe: string;
}

const parseIndex = (s: string): number | null => (/^\d{1,5}$/.test(s.trim()) && Number(s) >= 1 && Number(s) <= 65_535 ? Number(s) : null);
const parseShare = (s: string): number | null => {
  const x = s.trim() === '' ? Number.NaN : Number(s);
  return Number.isFinite(x) && x >= 0 && x <= 1 ? x : null;
};

/** The draft the form describes, or why it cannot be saved yet (the station checks again, and may still refuse). */
export function draftOf(form: Form, recipes: readonly Recipe[]): { draft: RecipeDraft } | { why: string } {
  const index = parseIndex(form.index);
  if (index === null) return { why: 'The PLC index is a whole number from 1 to 65535.' };
  const sameIndex = recipes.find((r) => r.index === index && r.id !== form.id);
  if (sameIndex) return { why: `Index ${index} is already recipe "${sameIndex.name}"'s: the PLC must find one recipe by it.` };
  const name = form.name.trim();
  if (!name) return { why: 'Name the recipe.' };
  const sameName = recipes.find((r) => r.name === name && r.id !== form.id);
  if (sameName) return { why: `There is already a recipe named "${name}".` };
  if (form.modelId === null) return { why: 'Pick the model the line runs for this recipe.' };
  const pit = parseShare(form.pit);
  const maybe = parseShare(form.maybe);
  if (pit === null || maybe === null) return { why: 'A threshold is a number from 0 to 1.' };
  if (maybe > pit) return { why: 'Maybe must not be above pit: items are diverted below the reject threshold.' };
  const draft: RecipeDraft = {
    ...(form.id !== null ? { id: form.id } : {}),
    index,
    name,
    description: form.description.trim(),
    modelId: form.modelId,
    thresholds: { pit, maybe },
  };
  return { draft };
}

function RecipeForm({
  initial,
  recipes,
  models,
  thresholdsInForce,
  onSaved,
  onCancel,
}: {
  initial: Form;
  recipes: readonly Recipe[];
  models: readonly ModelRecord[];
  thresholdsInForce: Thresholds;
  onSaved: (recipe: Recipe) => void;
  onCancel: () => void;
}) {
  const { api } = useStation();
  const [form, setForm] = useState<Form>(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<Form>): void => setForm((f) => ({ ...f, ...patch }));

  // Only a model that can drive the line can be a recipe's; a recipe being changed keeps its own in the list (the station says why it will not do).
  const choices = models.filter((m) => m.use.line || m.id === initial.modelId);
  const checked = draftOf(form, recipes);
  const why = busy
    ? WAITING
    : choices.length === 0
      ? 'No registered model can drive the line: import one on the Models page first.'
      : 'why' in checked
        ? checked.why
        : null;
  const chosen = choices.find((m) => m.id === form.modelId);

  const save = async (): Promise<void> => {
    if (!('draft' in checked)) return;
    setBusy(true);
    setError(null);
    try {
      onSaved(await api.saveRecipe(checked.draft));
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  return (
    <Modal title={form.id === null ? 'Save the line as a recipe' : `Change recipe "${initial.name}"`} onClose={onCancel} wide testId="recipe-form">
      <div className="field-row">
        <label className="field">
          <span>PLC index (1–65535)</span>
          <input type="number" min={1} max={65_535} step={1} value={form.index} onChange={(e) => set({ index: e.target.value })} data-testid="recipe-index" />
        </label>
        <label className="field grow">
          <span>Name</span>
          <input type="text" value={form.name} maxLength={80} onChange={(e) => set({ name: e.target.value })} data-testid="recipe-name" />
        </label>
      </div>
      <label className="field">
        <span>Description</span>
        <textarea value={form.description} maxLength={500} rows={2} onChange={(e) => set({ description: e.target.value })} data-testid="recipe-description" />
      </label>
      <div className="field-row">
        <label className="field grow">
          <span>Model</span>
          <select
            value={form.modelId ?? ''}
            onChange={(e) => set({ modelId: e.target.value === '' ? null : Number(e.target.value) })}
            data-testid="recipe-model"
          >
            {form.modelId === null && <option value="">pick a model</option>}
            {choices.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name} {m.version}
                {m.active ? ' (running now)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Pit: reject at or above</span>
          <input type="number" min={0} max={1} step={0.01} value={form.pit} onChange={(e) => set({ pit: e.target.value })} data-testid="recipe-pit" />
        </label>
        <label className="field">
          <span>Maybe: divert at or above</span>
          <input type="number" min={0} max={1} step={0.01} value={form.maybe} onChange={(e) => set({ maybe: e.target.value })} data-testid="recipe-maybe" />
        </label>
        <button
          type="button"
          className="button"
          onClick={() => set({ pit: String(thresholdsInForce.pit), maybe: String(thresholdsInForce.maybe) })}
          data-testid="recipe-thresholds-in-force"
        >
          Thresholds in force ({describeThresholds(thresholdsInForce)})
        </button>
      </div>
      {chosen && !chosen.use.line && <p className="use-warn small">⚠ {chosen.use.words}.</p>}
      <p className="muted small">
        The model&apos;s parity check and newest calibration on this station are kept with the recipe when it is saved. Maybe equal to pit: no item is diverted.
      </p>
      {why && (
        <p className="disabled-reason" data-testid="recipe-form-why">
          {why}
        </p>
      )}
      {error && (
        <div className="form-error" role="alert" data-testid="recipe-form-error">
          {error}
        </div>
      )}
      <div className="modal-actions">
        <button type="button" className="button" onClick={onCancel} disabled={busy} title={busy ? WAITING : undefined}>
          Cancel
        </button>
        <button
          type="button"
          className="button button-primary"
          onClick={() => void save()}
          disabled={why !== null}
          title={why ?? undefined}
          data-testid="recipe-save"
        >
          {busy ? 'Saving…' : 'Save'}
        </button>
      </div>
    </Modal>
  );
}

function DeleteDialog({ recipe, onDeleted, onCancel }: { recipe: Recipe; onDeleted: (state: RecipeState) => void; onCancel: () => void }) {
  const { api } = useStation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const remove = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      onDeleted(await api.deleteRecipe({ id: recipe.id }));
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <Modal title={`Delete recipe "${recipe.name}"`} onClose={onCancel} testId="recipe-delete-dialog">
      <p>
        Recipe &quot;{recipe.name}&quot; (index {recipe.index}) is deleted: the PLC can no longer ask for index {recipe.index}. The line keeps running what it
        runs now.
      </p>
      {error && (
        <div className="form-error" role="alert" data-testid="recipe-delete-error">
          {error}
        </div>
      )}
      <div className="modal-actions">
        <button type="button" className="button" onClick={onCancel} disabled={busy} title={busy ? WAITING : undefined}>
          Cancel
        </button>
        <button
          type="button"
          className="button button-danger"
          onClick={() => void remove()}
          disabled={busy}
          title={busy ? WAITING : undefined}
          data-testid="recipe-delete-confirm"
        >
          {busy ? 'Deleting…' : 'Delete'}
        </button>
      </div>
    </Modal>
  );
}

/** Recipes to and from a file on a stick (a path on the station PC, under an import folder). */
function RecipeFiles({ count, onImported }: { count: number; onImported: () => void }) {
  const { api, asTechnician } = useStation();
  const [dest, setDest] = useState('');
  const [file, setFile] = useState('');
  const [busy, setBusy] = useState<'export' | 'import' | null>(null);
  const [exported, setExported] = useState<string | null>(null);
  const [report, setReport] = useState<RecipeImportReport | null>(null);
  const [error, setError] = useState<string | null>(null);

  const exportTo = async (): Promise<void> => {
    setError(null);
    setExported(null);
    if (!(await asTechnician())) return;
    setBusy('export');
    try {
      const r = await api.exportRecipes({ dest: dest.trim() });
      setExported(`${r.recipes} ${r.recipes === 1 ? 'recipe' : 'recipes'} written to ${r.file}`);
      // The file just written is the one another station imports: offered here too.
      setFile(r.file);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  };
  const importFrom = async (): Promise<void> => {
    setError(null);
    setReport(null);
    if (!(await asTechnician())) return;
    setBusy('import');
    try {
      setReport(await api.importRecipes({ file: file.trim() }));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
      onImported();
    }
  };
  const running = busy === 'export' ? 'Writing the file: wait for it to finish.' : busy === 'import' ? 'Reading the file: wait for it to finish.' : null;
  const exportWhy = running ?? (count === 0 ? 'No recipe to export yet.' : dest.trim() === '' ? 'Name a folder first.' : null);
  const importWhy = running ?? (file.trim() === '' ? 'Name a recipe file first.' : null);
  // Said beside the buttons while one runs, or when a folder is named with nothing to write; an empty field says why on its button.
  const filesWhy = running ?? (count === 0 && dest.trim() !== '' ? 'No recipe to export yet.' : null);
  return (
    <section className="panel" data-testid="recipe-files">
      <h3>Recipes on a stick</h3>
      <p className="muted small">
        Paths on this PC, under an import folder (a USB stick). A recipe whose model is not on this station is refused: import the model on the Models page
        first. A recipe of the same name is changed.
      </p>
      <div className="field-row">
        <label className="field grow">
          <span>Export every recipe to a new file in the folder</span>
          <input type="text" value={dest} onChange={(e) => setDest(e.target.value)} placeholder="/media/usb" data-testid="recipes-export-dest" />
        </label>
        <button
          type="button"
          className="button"
          onClick={() => void exportTo()}
          disabled={exportWhy !== null}
          title={exportWhy ?? undefined}
          data-testid="recipes-export"
        >
          {busy === 'export' ? 'Exporting…' : 'Export'}
        </button>
      </div>
      <div className="field-row">
        <label className="field grow">
          <span>Import the recipes of a file</span>
          <input
            type="text"
            value={file}
            onChange={(e) => setFile(e.target.value)}
            placeholder="/media/usb/linesight-recipes-line-3.json"
            data-testid="recipes-import-file"
          />
        </label>
        <button
          type="button"
          className="button"
          onClick={() => void importFrom()}
          disabled={importWhy !== null}
          title={importWhy ?? undefined}
          data-testid="recipes-import"
        >
          {busy === 'import' ? 'Importing…' : 'Import'}
        </button>
      </div>
      {filesWhy && <p className="disabled-reason">{filesWhy}</p>}
      {exported && (
        <div className="notice" role="status" data-testid="recipes-exported">
          {exported}
        </div>
      )}
      {report && (
        <div className={`notice ${report.refused.length > 0 ? 'notice-warn' : ''}`} role="status" data-testid="recipes-import-report">
          <div>
            From {report.file}: {report.imported.length > 0 ? `imported ${report.imported.map((n) => `"${n}"`).join(', ')}` : 'nothing imported'}.
          </div>
          {report.refused.length > 0 && (
            <>
              <div>Refused:</div>
              <ul data-testid="recipes-import-refused">
                {report.refused.map((r) => (
                  <li key={r.name}>
                    &quot;{r.name}&quot;: {r.reason}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      {error && (
        <div className="form-error" role="alert" data-testid="recipe-files-error">
          {error}
        </div>
      )}
    </section>
  );
}

export function RecipesPage() {
  const { api, status, session, asTechnician } = useStation();
  const technician = session?.role === 'technician';
  const [state, setState] = useState<RecipeState | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [modelsError, setModelsError] = useState<string | null>(null);
  const [models, setModels] = useState<ModelRecord[] | null>(null);
  const [form, setForm] = useState<Form | null>(null);
  const [pendingSwitch, setPendingSwitch] = useState<Recipe | null>(null);
  const [pendingDelete, setPendingDelete] = useState<Recipe | null>(null);
  /** A switch this page asked for, until the station answers (the status says so too, a second later). */
  const [sending, setSending] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    api.listRecipes({}).then(
      (s) => {
        setState(s);
        setLoadError(null);
      },
      (e: Error) => setLoadError(e.message),
    );
  }, [api]);
  const loadModels = useCallback(() => {
    api.listModels({}).then(
      (m) => {
        setModels(m);
        setModelsError(null);
      },
      (e: Error) => setModelsError(`The registry could not be read: ${e.message}`),
    );
  }, [api]);
  // Again whenever the recipe in force, its switch or the model running changes (the PLC, another screen, a change by hand).
  const r = status.recipe;
  const recipeKey = r ? `${r.name}|${r.index}|${r.inForce}|${r.switching ?? ''}` : '';
  useEffect(load, [load, recipeKey]);
  useEffect(loadModels, [loadModels, status.model.registryId]);

  const recipes = state?.recipes ?? [];
  const current = state?.current ?? null;
  const switching = state?.switching?.name ?? status.recipe?.switching ?? sending;
  const failure = state?.lastFailure ?? null;

  const switchTo = async (recipe: Recipe, reason: string): Promise<void> => {
    setSending(recipe.name);
    setMessage(null);
    setError(null);
    try {
      setState(await api.switchRecipe({ id: recipe.id, reason }));
      setMessage(
        `Recipe "${recipe.name}" (index ${recipe.index}) is in force: ${recipe.model.name} ${recipe.model.version}, ${describeThresholds(recipe.thresholds)}.`,
      );
    } catch (err) {
      setError((err as Error).message);
      load();
    } finally {
      setSending(null);
    }
  };

  const ask = async (then: () => void): Promise<void> => {
    setMessage(null);
    setError(null);
    if (await asTechnician()) then();
  };

  const newForm = (): Form => {
    const registered = models ?? [];
    const running = registered.find((m) => m.id === status.model.registryId && m.use.line) ?? registered.find((m) => m.use.line);
    // The index after the highest, else the lowest free one.
    const used = new Set(recipes.map((x) => x.index));
    let next = recipes.reduce((max, x) => Math.max(max, x.index), 0) + 1;
    for (let i = 1; next > 65_535 && i <= 65_535; i++) if (!used.has(i)) next = i;
    return {
      id: null,
      index: next <= 65_535 ? String(next) : '',
      name: '',
      description: '',
      modelId: running?.id ?? null,
      pit: String(status.thresholds.pit),
      maybe: String(status.thresholds.maybe),
    };
  };
  const editForm = (x: Recipe): Form => ({
    id: x.id,
    index: String(x.index),
    name: x.name,
    description: x.description,
    modelId: x.model.id,
    pit: String(x.thresholds.pit),
    maybe: String(x.thresholds.maybe),
  });

  // A form filled before the recipes and the registry are read would offer an index in use and no model.
  const reading = state === null || models === null ? (loadError ?? modelsError ?? 'Reading the recipes and the registry: a moment.') : null;
  const switchWhy = (x: Recipe): string | null =>
    switching !== null
      ? `Recipe "${switching}" is being switched to: wait until it is in force.`
      : current?.id === x.id && current.inForce
        ? 'This recipe is in force.'
        : null;

  return (
    <main className="page" data-testid="page-recipes">
      <section className="panel" data-testid="recipe-in-force">
        <h2>Recipe in force</h2>
        {current ? (
          <p className="big" data-testid="recipe-current">
            {current.name} <span className="muted">(index {current.index})</span>{' '}
            {current.inForce ? <span className="badge">in force</span> : <span className="badge badge-warn">not in force</span>}
          </p>
        ) : (
          <p className="big muted" data-testid="recipe-current">
            No recipe switched to yet.
          </p>
        )}
        {current && (
          <p className="muted">
            Switched to by {current.by} at {formatTime(current.at)}.
          </p>
        )}
        {current && !current.inForce && (
          <div className="notice notice-warn" data-testid="recipe-not-in-force">
            Recipe &quot;{current.name}&quot;: {NOT_IN_FORCE} (model {status.model.name} {status.model.version}, {describeThresholds(status.thresholds)}).
            Switch to it again to run it as saved.
          </div>
        )}
        <p className="muted">
          The line runs {status.model.name} {status.model.version}, {describeThresholds(status.thresholds)}. The PLC asks for a recipe by its index
          (RECIPE_REQUEST).
        </p>
        {switching !== null && (
          <div className="notice" role="status" data-testid="recipe-switching">
            Switching to &quot;{switching}&quot;… its model loads beside the running one; the line moves to it between two items.
          </div>
        )}
        {failure && (
          <div className="form-error" role="alert" data-testid="recipe-last-failure">
            {failure.message}{' '}
            <span className="small">
              ({formatTime(failure.at)}, asked by {failure.by})
            </span>
          </div>
        )}
        {error && error !== failure?.message && (
          <div className="form-error" role="alert" data-testid="recipe-error">
            {error}
          </div>
        )}
        {message && (
          <div className="notice" role="status" data-testid="recipe-message">
            {message}
          </div>
        )}
        {loadError && (
          <div className="form-error" role="alert" data-testid="recipe-load-error">
            {loadError}
          </div>
        )}
        {technician && modelsError && (
          <div className="form-error" role="alert" data-testid="recipe-models-error">
            {modelsError}
          </div>
        )}
      </section>

      <section className="panel">
        <div className="field-row">
          <h3 className="grow">Recipes</h3>
          {technician && (
            <button
              type="button"
              className="button button-primary"
              onClick={() => void ask(() => setForm(newForm()))}
              disabled={reading !== null}
              title={reading ?? undefined}
              data-testid="recipe-new"
            >
              Save the line as a recipe…
            </button>
          )}
        </div>
        {!technician && (
          <p className="muted" data-testid="recipes-operator-note">
            Switching, saving and deleting recipes is for a technician.{' '}
            <button type="button" className="button" onClick={() => void asTechnician()} data-testid="recipes-sign-in">
              Technician sign-in
            </button>
          </p>
        )}
        <table className="table recipes-table" data-testid="recipes-table">
          <thead>
            <tr>
              <th className="num">PLC index</th>
              <th>recipe</th>
              <th>model</th>
              <th>thresholds</th>
              <th>validated with</th>
              <th>updated</th>
              {technician && <th />}
            </tr>
          </thead>
          <tbody>
            {state && recipes.length === 0 && (
              <tr>
                <td colSpan={technician ? 7 : 6} className="muted">
                  No recipe saved yet{technician ? ': save the line as one.' : '.'}
                </td>
              </tr>
            )}
            {recipes.map((x) => {
              const isCurrent = current?.id === x.id;
              const words = validationWords(x.validatedWith);
              const why = switchWhy(x);
              return (
                <tr key={x.id} className={isCurrent ? 'row-active' : ''} data-testid={`recipe-${x.index}`} data-current={isCurrent}>
                  <td className="num">{x.index}</td>
                  <td>
                    <strong>{x.name}</strong>{' '}
                    {isCurrent &&
                      (current.inForce ? (
                        <span className="badge" data-testid="recipe-in-force-mark">
                          in force
                        </span>
                      ) : (
                        <span className="badge badge-warn" data-testid="recipe-in-force-mark">
                          switched to, changed since
                        </span>
                      ))}
                    {switching === x.name && <span className="badge badge-warn">switching…</span>}
                    {x.description && <div className="muted small">{x.description}</div>}
                  </td>
                  <td>
                    {x.model.name} {x.model.version}
                  </td>
                  <td>
                    {describeThresholds(x.thresholds)}
                    {x.thresholds.maybe === x.thresholds.pit && <div className="muted small">none diverted</div>}
                  </td>
                  <td className="small">
                    <div className={x.validatedWith.parity?.passed === false ? 'use-warn' : ''}>{words.parity}</div>
                    <div className={x.validatedWith.calibration ? '' : 'muted'}>{words.calibration}</div>
                  </td>
                  <td className="small">
                    {formatTime(x.updatedAt)}
                    <div className="muted">by {x.updatedBy}</div>
                  </td>
                  {technician && (
                    <td>
                      <div className="recipe-actions">
                        <button
                          type="button"
                          className="button"
                          onClick={() => void ask(() => setPendingSwitch(x))}
                          disabled={why !== null}
                          title={why ?? undefined}
                          data-testid={`recipe-switch-${x.index}`}
                        >
                          Switch…
                        </button>
                        <button
                          type="button"
                          className="button"
                          onClick={() => void ask(() => setForm(editForm(x)))}
                          disabled={reading !== null}
                          title={reading ?? undefined}
                          data-testid={`recipe-edit-${x.index}`}
                        >
                          Change…
                        </button>
                        <button
                          type="button"
                          className="button"
                          onClick={() => void ask(() => setPendingDelete(x))}
                          disabled={switching === x.name}
                          title={switching === x.name ? 'It is being switched to: delete it once that is done.' : undefined}
                          data-testid={`recipe-delete-${x.index}`}
                        >
                          Delete…
                        </button>
                      </div>
                      {why && why !== 'This recipe is in force.' && <div className="disabled-reason">{why}</div>}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>

      {technician && <RecipeFiles count={recipes.length} onImported={load} />}

      {pendingSwitch && (
        <ReasonDialog
          title={`Switch to recipe "${pendingSwitch.name}"`}
          summary={`The line loads ${pendingSwitch.model.name} ${pendingSwitch.model.version} beside the running model and moves to it between two items, with ${describeThresholds(pendingSwitch.thresholds)}; the PLC then reads index ${pendingSwitch.index}.`}
          suggestions={['Product change', 'New lot', 'Back to the usual product']}
          confirmLabel="Switch"
          onCancel={() => setPendingSwitch(null)}
          onConfirm={(reason) => {
            // The switch takes as long as the model's load: the page shows it under way, and its answer.
            const recipe = pendingSwitch;
            setPendingSwitch(null);
            void switchTo(recipe, reason);
            return Promise.resolve();
          }}
        />
      )}
      {form && (
        <RecipeForm
          initial={form}
          recipes={recipes}
          models={models ?? []}
          thresholdsInForce={status.thresholds}
          onCancel={() => setForm(null)}
          onSaved={(saved) => {
            setForm(null);
            setMessage(
              `Recipe "${saved.name}" saved under index ${saved.index}: ${saved.model.name} ${saved.model.version}, ${describeThresholds(saved.thresholds)}.`,
            );
            load();
          }}
        />
      )}
      {pendingDelete && (
        <DeleteDialog
          recipe={pendingDelete}
          onCancel={() => setPendingDelete(null)}
          onDeleted={(s) => {
            setMessage(`Recipe "${pendingDelete.name}" (index ${pendingDelete.index}) deleted.`);
            setPendingDelete(null);
            setState(s);
          }}
        />
      )}
    </main>
  );
}
