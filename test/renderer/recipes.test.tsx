/**
 * Issue 17 in the UI: the Recipes page — the recipes and the one in force for anyone, switching (with a reason),
 * saving, deleting, export and import for a technician, every refusal of the station shown in its words — the
 * recipe in the status bar, and recipe entries of the audit trail in words.
 */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/renderer/src/App';
import { describeAuditValue } from '../../src/renderer/src/audit-words';
import { draftOf, NOT_IN_FORCE, validationWords } from '../../src/renderer/src/pages/RecipesPage';
import type { Recipe, RecipeState } from '../../src/shared/recipes';
import type { StationStatus } from '../../src/shared/status';
import { memoryApi, modelRecord, operatorSession, stationStatus, type Handlers } from './helpers/memory-api';

afterEach(cleanup);

const technician = operatorSession({ role: 'technician', user: 'ana', expiresAt: '2026-01-01T01:00:00Z' });

const recipe = (id: number, index: number, name: string, extra: Partial<Recipe> = {}): Recipe => ({
  id,
  index,
  name,
  description: `${name} cherries`,
  model: { id: 2, name: 'demo-cherry', version: '1.1.0', sha256: 'a'.repeat(64) },
  thresholds: { pit: 0.8, maybe: 0.4 },
  validatedWith: {
    parity: { passed: true, provider: 'cpu', at: '2026-01-01T00:00:00Z' },
    calibration: { at: '2026-01-01T00:00:00Z', by: 'ana (desktop)', items: 400, recallLowerBound: 0.962 },
  },
  createdAt: '2026-01-01T00:00:00Z',
  createdBy: 'ana (desktop)',
  updatedAt: '2026-01-02T00:00:00Z',
  updatedBy: 'bo (browser)',
  ...extra,
});

const DARK = recipe(1, 1, 'dark');
const BRIGHT = recipe(2, 7, 'bright', {
  model: { id: 3, name: 'demo-cherry', version: '2.0.0', sha256: 'b'.repeat(64) },
  thresholds: { pit: 0.7, maybe: 0.7 },
  validatedWith: { parity: null, calibration: null },
});

const recipeState = (extra: Partial<RecipeState> = {}): RecipeState => ({
  recipes: [DARK, BRIGHT],
  current: { id: 1, name: 'dark', index: 1, inForce: true, at: '2026-01-02T00:00:00Z', by: 'plc' },
  switching: null,
  lastFailure: null,
  ...extra,
});

const MODELS = [
  modelRecord(2, '1.1.0', true),
  modelRecord(3, '2.0.0', false),
  modelRecord(4, '9', false, { name: 'squeezenet', use: { line: false, words: 'cannot drive the line: its manifest names no rejectLabel' } }),
];

function open(handlers: Handlers, status: StationStatus = stationStatus({ model: { ...stationStatus().model, version: '1.1.0', registryId: 2 } })) {
  const memory = memoryApi(status, { listRecipes: () => recipeState(), listModels: () => MODELS, ...handlers });
  window.location.hash = '#/recipes';
  render(<App api={memory.api} transport="websocket" />);
  return memory;
}

describe('recipes page', () => {
  it('shows an operator the recipes and the one in force, with no control that changes them', async () => {
    open({});
    const row = await screen.findByTestId('recipe-1');
    expect(row.dataset['current']).toBe('true');
    expect(within(row).getByTestId('recipe-in-force-mark').textContent).toBe('in force');
    expect(row.textContent).toContain('pit ≥ 0.80, maybe ≥ 0.40');
    expect(row.textContent).toContain('parity passed on CPU');
    expect(row.textContent).toContain('defect recall at least 96.2%');
    expect(row.textContent).toContain('by bo (browser)');
    const other = screen.getByTestId('recipe-7');
    expect(other.dataset['current']).toBe('false');
    expect(other.textContent).toContain('demo-cherry 2.0.0');
    expect(other.textContent).toContain('no parity check');
    expect(other.textContent).toContain('not calibrated');
    expect(other.textContent).toContain('none diverted');
    expect(screen.getByTestId('recipe-current').textContent).toContain('dark');
    expect(screen.queryByTestId('recipe-not-in-force')).toBeNull();
    expect(screen.getByTestId('tab-recipes').getAttribute('aria-current')).toBe('page');
    // Nothing an operator could change the line with.
    expect(screen.queryByTestId('recipe-switch-1')).toBeNull();
    expect(screen.queryByTestId('recipe-switch-7')).toBeNull();
    expect(screen.queryByTestId('recipe-new')).toBeNull();
    expect(screen.queryByTestId('recipe-delete-7')).toBeNull();
    expect(screen.queryByTestId('recipe-files')).toBeNull();
    expect(screen.getByTestId('recipes-operator-note').textContent).toContain('for a technician');
  });

  it('switches a technician to a recipe with a reason, showing the switch under way and then the recipe in force', async () => {
    let answer: ((s: RecipeState) => void) | null = null;
    const memory = open({
      getSession: () => technician,
      switchRecipe: () => new Promise<RecipeState>((resolve) => (answer = resolve)),
    });
    const button = await screen.findByTestId('recipe-switch-7');
    // The recipe in force needs no switch, and says so.
    expect((screen.getByTestId('recipe-switch-1') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(button);
    const dialog = await screen.findByTestId('reason-dialog');
    expect(dialog.textContent).toContain('demo-cherry 2.0.0');
    expect(dialog.textContent).toContain('index 7');
    fireEvent.change(within(dialog).getByTestId('reason-input'), { target: { value: 'bright lot from farm 4' } });
    await act(async () => fireEvent.click(within(dialog).getByTestId('reason-confirm')));
    expect(memory.calls.find((c) => c.op === 'switchRecipe')?.request).toEqual({ id: 2, reason: 'bright lot from farm 4' });
    expect(screen.queryByTestId('reason-dialog')).toBeNull();
    expect(screen.getByTestId('recipe-switching').textContent).toContain('Switching to "bright"…');
    expect((screen.getByTestId('recipe-switch-1') as HTMLButtonElement).disabled).toBe(true);
    await act(async () => answer!(recipeState({ current: { id: 2, name: 'bright', index: 7, inForce: true, at: '2026-01-03T00:00:00Z', by: 'ana' } })));
    expect(screen.queryByTestId('recipe-switching')).toBeNull();
    expect(screen.getByTestId('recipe-message').textContent).toContain('Recipe "bright" (index 7) is in force');
    expect(screen.getByTestId('recipe-7').dataset['current']).toBe('true');
  });

  it('shows the station refusing a switch, in its words, and the last failure it keeps', async () => {
    const refusal = 'recipe "bright" was not switched to: demo-cherry 2.0.0 failed the parity gate on CUDA';
    let listed = recipeState();
    const memory = open({
      getSession: () => technician,
      listRecipes: () => listed,
      switchRecipe: () => {
        listed = recipeState({ lastFailure: { name: 'bright', at: '2026-01-03T00:00:00Z', by: 'ana', message: refusal } });
        throw new Error(refusal);
      },
    });
    fireEvent.click(await screen.findByTestId('recipe-switch-7'));
    const dialog = await screen.findByTestId('reason-dialog');
    fireEvent.click(within(dialog).getByText('Product change'));
    await act(async () => fireEvent.click(within(dialog).getByTestId('reason-confirm')));
    await waitFor(() => expect(screen.getByTestId('recipe-last-failure').textContent).toContain(refusal));
    // The same words once, not twice.
    expect(screen.queryByTestId('recipe-error')).toBeNull();
    expect(memory.calls.filter((c) => c.op === 'switchRecipe')).toHaveLength(1);
  });

  it('shows a refusal that is not kept as the last failure (another switch under way)', async () => {
    open({
      getSession: () => technician,
      switchRecipe: () => {
        throw new Error('recipe "dark" is being switched to; try again once it is in force');
      },
    });
    fireEvent.click(await screen.findByTestId('recipe-switch-7'));
    const dialog = await screen.findByTestId('reason-dialog');
    fireEvent.click(within(dialog).getByText('New lot'));
    await act(async () => fireEvent.click(within(dialog).getByTestId('reason-confirm')));
    expect((await screen.findByTestId('recipe-error')).textContent).toBe('recipe "dark" is being switched to; try again once it is in force');
  });

  it('saves the line as a new recipe: the next index, the running model and the thresholds in force by default', async () => {
    const memory = open({ getSession: () => technician, saveRecipe: (d) => recipe(3, d.index, d.name, { thresholds: d.thresholds }) });
    const button = await screen.findByTestId('recipe-new');
    // Not before the recipes and the registry are read: the defaults come from them.
    await waitFor(() => expect((button as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(button);
    const form = await screen.findByTestId('recipe-form');
    expect((within(form).getByTestId('recipe-index') as HTMLInputElement).value).toBe('8');
    expect((within(form).getByTestId('recipe-model') as HTMLSelectElement).value).toBe('2');
    // Only models that can drive the line are offered.
    expect([...within(form).getByTestId('recipe-model').querySelectorAll('option')].map((o) => o.value)).toEqual(['2', '3']);
    expect((within(form).getByTestId('recipe-pit') as HTMLInputElement).value).toBe('0.75');
    expect((within(form).getByTestId('recipe-maybe') as HTMLInputElement).value).toBe('0.5');
    const save = within(form).getByTestId('recipe-save') as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    expect(within(form).getByTestId('recipe-form-why').textContent).toBe('Name the recipe.');
    fireEvent.change(within(form).getByTestId('recipe-name'), { target: { value: 'dark' } });
    expect(within(form).getByTestId('recipe-form-why').textContent).toBe('There is already a recipe named "dark".');
    fireEvent.change(within(form).getByTestId('recipe-name'), { target: { value: ' morello ' } });
    fireEvent.change(within(form).getByTestId('recipe-index'), { target: { value: '12' } });
    fireEvent.change(within(form).getByTestId('recipe-model'), { target: { value: '3' } });
    fireEvent.change(within(form).getByTestId('recipe-pit'), { target: { value: '0.9' } });
    expect(save.disabled).toBe(false);
    await act(async () => fireEvent.click(save));
    expect(memory.calls.find((c) => c.op === 'saveRecipe')?.request).toEqual({
      index: 12,
      name: 'morello',
      description: '',
      modelId: 3,
      thresholds: { pit: 0.9, maybe: 0.5 },
    });
    expect(screen.queryByTestId('recipe-form')).toBeNull();
    expect(screen.getByTestId('recipe-message').textContent).toContain('Recipe "morello" saved under index 12');
  });

  it('changes a recipe with its id, and shows the station refusing it', async () => {
    const memory = open({
      getSession: () => technician,
      saveRecipe: () => {
        throw new Error('demo-cherry 2.0.0 cannot drive the line: its manifest names no rejectLabel');
      },
    });
    const edit = (await screen.findByTestId('recipe-edit-7')) as HTMLButtonElement;
    await waitFor(() => expect(edit.disabled).toBe(false));
    fireEvent.click(edit);
    const form = await screen.findByTestId('recipe-form');
    expect((within(form).getByTestId('recipe-name') as HTMLInputElement).value).toBe('bright');
    fireEvent.change(within(form).getByTestId('recipe-maybe'), { target: { value: '0.3' } });
    await act(async () => fireEvent.click(within(form).getByTestId('recipe-save')));
    expect(memory.calls.find((c) => c.op === 'saveRecipe')?.request).toEqual({
      id: 2,
      index: 7,
      name: 'bright',
      description: 'bright cherries',
      modelId: 3,
      thresholds: { pit: 0.7, maybe: 0.3 },
    });
    expect(within(form).getByTestId('recipe-form-error').textContent).toBe('demo-cherry 2.0.0 cannot drive the line: its manifest names no rejectLabel');
  });

  it('deletes a recipe once confirmed', async () => {
    const memory = open({ getSession: () => technician, deleteRecipe: () => recipeState({ recipes: [DARK] }) });
    fireEvent.click(await screen.findByTestId('recipe-delete-7'));
    const dialog = await screen.findByTestId('recipe-delete-dialog');
    expect(dialog.textContent).toContain('the PLC can no longer ask for index 7');
    expect(memory.calls.some((c) => c.op === 'deleteRecipe')).toBe(false);
    await act(async () => fireEvent.click(within(dialog).getByTestId('recipe-delete-confirm')));
    expect(memory.calls.find((c) => c.op === 'deleteRecipe')?.request).toEqual({ id: 2 });
    expect(screen.queryByTestId('recipe-7')).toBeNull();
  });

  it('imports a file and lists each recipe refused with its reason; an export refused says why', async () => {
    const memory = open({
      getSession: () => technician,
      importRecipes: ({ file }) => ({
        file,
        imported: ['dark'],
        refused: [{ name: 'plum', reason: 'its model plum-net 3.0.0 is not on this station: import the model first' }],
      }),
      exportRecipes: () => {
        throw new Error('/home/x is not under an import folder: recipes are written only under /media');
      },
    });
    fireEvent.change(await screen.findByTestId('recipes-import-file'), { target: { value: '/media/usb/recipes.json' } });
    await act(async () => fireEvent.click(screen.getByTestId('recipes-import')));
    expect(memory.calls.find((c) => c.op === 'importRecipes')?.request).toEqual({ file: '/media/usb/recipes.json' });
    const report = screen.getByTestId('recipes-import-report');
    expect(report.textContent).toContain('imported "dark"');
    expect(within(report).getByTestId('recipes-import-refused').textContent).toBe(
      '"plum": its model plum-net 3.0.0 is not on this station: import the model first',
    );
    fireEvent.change(screen.getByTestId('recipes-export-dest'), { target: { value: '/home/x' } });
    await act(async () => fireEvent.click(screen.getByTestId('recipes-export')));
    expect(screen.getByTestId('recipe-files-error').textContent).toBe('/home/x is not under an import folder: recipes are written only under /media');
  });

  it('says when the recipe switched to is no longer what the line runs, on the page and in the status bar', async () => {
    const status = stationStatus({ thresholds: { pit: 0.6, maybe: 0.4 }, recipe: { name: 'dark', index: 1, inForce: false, switching: null } });
    open({ listRecipes: () => recipeState({ current: { id: 1, name: 'dark', index: 1, inForce: false, at: '2026-01-02T00:00:00Z', by: 'plc' } }) }, status);
    const note = await screen.findByTestId('recipe-not-in-force');
    expect(note.textContent).toContain(NOT_IN_FORCE);
    expect(note.textContent).toContain('pit ≥ 0.60, maybe ≥ 0.40');
    expect(within(screen.getByTestId('recipe-1')).getByTestId('recipe-in-force-mark').textContent).toBe('switched to, changed since');
    // Under 1280 px the bar shows the index and a mark; the whole in words in its title.
    const bar = screen.getByTestId('status-recipe');
    expect(bar.dataset['inForce']).toBe('false');
    expect(bar.title).toBe(`recipe 1 "dark": ${NOT_IN_FORCE}`);
    expect(bar.querySelector('.status-long')?.textContent).toBe(' dark (changed by hand)');
  });

  it('says why the recipes could not be read', async () => {
    open({
      getSession: () => technician,
      listRecipes: () => {
        throw new Error('the station is shutting down');
      },
    });
    expect((await screen.findByTestId('recipe-load-error')).textContent).toBe('the station is shutting down');
    expect((screen.getByTestId('recipe-new') as HTMLButtonElement).title).toBe('the station is shutting down');
  });

  it('follows a switch the PLC makes: the status says so and the list is read again', async () => {
    let listed = recipeState();
    const memory = open({ listRecipes: () => listed });
    await screen.findByTestId('recipe-1');
    const status = stationStatus({ recipe: { name: 'dark', index: 1, inForce: true, switching: 'bright' } });
    listed = recipeState({ switching: { name: 'bright', index: 7, by: 'plc', since: '2026-01-03T00:00:00Z' } });
    act(() => memory.emit('status', status));
    expect(screen.getByTestId('status-recipe').title).toBe('switching to recipe "bright"…');
    await waitFor(() => expect(screen.getByTestId('recipe-switching').textContent).toContain('"bright"'));
    listed = recipeState({ current: { id: 2, name: 'bright', index: 7, inForce: true, at: '2026-01-03T00:00:00Z', by: 'plc' } });
    act(() => memory.emit('status', { ...status, recipe: { name: 'bright', index: 7, inForce: true, switching: null } }));
    await waitFor(() => expect(screen.getByTestId('recipe-7').dataset['current']).toBe('true'));
    expect(screen.queryByTestId('recipe-switching')).toBeNull();
    expect(screen.getByTestId('status-recipe').title).toBe('recipe 7 "bright" in force');
    expect(memory.calls.filter((c) => c.op === 'listRecipes').length).toBeGreaterThanOrEqual(3);
  });
});

describe('recipes in words', () => {
  it('checks a draft before the station does', () => {
    const form = { id: null, index: '7', name: 'x', description: '', modelId: 2, pit: '0.8', maybe: '0.4' };
    expect(draftOf(form, [DARK, BRIGHT])).toEqual({ why: 'Index 7 is already recipe "bright"\'s: the PLC must find one recipe by it.' });
    expect(draftOf({ ...form, id: 2 }, [DARK, BRIGHT])).toEqual({
      draft: { id: 2, index: 7, name: 'x', description: '', modelId: 2, thresholds: { pit: 0.8, maybe: 0.4 } },
    });
    expect(draftOf({ ...form, index: '0' }, [])).toEqual({ why: 'The PLC index is a whole number from 1 to 65535.' });
    expect(draftOf({ ...form, index: '65536' }, [])).toEqual({ why: 'The PLC index is a whole number from 1 to 65535.' });
    expect(draftOf({ ...form, maybe: '0.9' }, [])).toEqual({ why: 'Maybe must not be above pit: items are diverted below the reject threshold.' });
    expect(draftOf({ ...form, pit: '' }, [])).toEqual({ why: 'A threshold is a number from 0 to 1.' });
  });

  it('says what a recipe was validated with', () => {
    expect(validationWords({ parity: null, calibration: null })).toEqual({ parity: 'no parity check', calibration: 'not calibrated' });
    const failed = validationWords({ parity: { passed: false, provider: 'cuda', at: '2026-01-01T00:00:00Z' }, calibration: null });
    expect(failed.parity).toMatch(/^parity failed on CUDA \(/);
  });

  it('writes recipe entries of the audit trail in words', () => {
    const described = { id: 2, index: 7, name: 'bright', model: 'demo-cherry 2.0.0', thresholds: { pit: 0.7, maybe: 0.4 } };
    expect(describeAuditValue('recipe', { action: 'create', ...described })).toBe('new recipe "bright" (index 7): demo-cherry 2.0.0, pit ≥ 0.70, maybe ≥ 0.40');
    expect(describeAuditValue('recipe', described)).toBe('recipe "bright" (index 7): demo-cherry 2.0.0, pit ≥ 0.70, maybe ≥ 0.40');
    expect(describeAuditValue('recipe', { action: 'switch', via: 'plc', ...described })).toBe(
      'switched to recipe "bright" (index 7): demo-cherry 2.0.0, pit ≥ 0.70, maybe ≥ 0.40 (asked by the PLC)',
    );
    expect(describeAuditValue('recipe', { action: 'switch', via: 'technician', ...described })).toBe(
      'switched to recipe "bright" (index 7): demo-cherry 2.0.0, pit ≥ 0.70, maybe ≥ 0.40',
    );
    expect(describeAuditValue('recipe', { id: 1, name: 'dark', index: 1 })).toBe('recipe "dark" (index 1)');
    expect(describeAuditValue('recipe', { action: 'delete', id: 2 })).toBe('deleted');
  });
});
