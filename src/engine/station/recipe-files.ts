/**
 * Recipes as files (issue 17): exported to a stick for another station, and
 * imported from one. A file names each recipe's model by its content (name,
 * version, sha256), never by this station's registry id; a recipe whose model
 * is not in this registry is refused with the words to fix it (import the
 * model first). The file is hostile until checked: read only from under an
 * import folder, at most 1 MB, parsed through the schema, each recipe saved
 * through the same checks as a technician's (recipe-service.ts).
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RECIPE_FILE_FORMAT, RecipeFileSchema, type RecipeFile, type RecipeImportReport } from '../../shared/recipes';
import { describeZodError } from '../../shared/zod-errors';
import { folderUnderImportRoots } from '../models/import-roots';
import type { ModelService } from './model-service';
import { RecipeError, type RecipeService } from './recipe-service';
import { messageOf } from '../error-message';

const MAX_FILE_BYTES = 1_000_000;

export interface RecipeFileDeps {
  readonly recipes: RecipeService;
  readonly models: ModelService;
  readonly importRoots: readonly string[];
  readonly stationId: string;
}

/** Writes every recipe to a new file in a folder under an import folder; returns its path. */
export async function exportRecipes(deps: RecipeFileDeps, dest: string): Promise<{ file: string; recipes: number }> {
  const folder = await folderUnderImportRoots(dest, deps.importRoots, 'exports');
  const { recipes } = deps.recipes.state();
  const body: RecipeFile = {
    ...{ format: RECIPE_FILE_FORMAT, version: 1, exportedAt: new Date().toISOString(), station: deps.stationId },
    recipes: recipes.map((r) => ({
      ...{ index: r.index, name: r.name, description: r.description },
      model: { name: r.model.name, version: r.model.version, sha256: r.model.sha256 },
      ...{ thresholds: r.thresholds, validatedWith: r.validatedWith },
    })),
  };
  const stamp = body.exportedAt.replace(/[:.]/g, '-');
  const file = join(folder, `linesight-recipes-${deps.stationId}-${stamp}.json`);
  // A new file, never over one that is there ('wx').
  await writeFile(file, `${JSON.stringify(body, null, 2)}\n`, { flag: 'wx' });
  return { file, recipes: body.recipes.length };
}

async function readRecipeFile(file: string, roots: readonly string[]): Promise<RecipeFile> {
  const path = await folderUnderImportRoots(file, roots, 'recipes');
  const info = await stat(path);
  if (!info.isFile()) throw new RecipeError(`${file} is not a file`);
  if (info.size > MAX_FILE_BYTES) throw new RecipeError(`${file} is ${info.size} bytes: a recipe file is at most ${MAX_FILE_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new RecipeError(`${file} is not a LineSight recipe file: ${messageOf(err)}`, { cause: err });
  }
  const parsed = RecipeFileSchema.safeParse(json);
  if (!parsed.success) throw new RecipeError(`${file} is not a LineSight recipe file: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

/** Each recipe of the file saved (a recipe of the same name is changed), or refused with its reason. */
export async function importRecipes(deps: RecipeFileDeps, file: string, actor: string): Promise<RecipeImportReport> {
  const body = await readRecipeFile(file, deps.importRoots);
  const registry = deps.models.list();
  const report: { imported: string[]; refused: { name: string; reason: string }[] } = { imported: [], refused: [] };
  for (const entry of body.recipes) {
    // The same model version and file: the bytes alone would not do (the manifest's preprocessing and labels go with them).
    const { name, version, sha256 } = entry.model;
    const model = registry.find((m) => m.name === name && m.version === version && (m.sha256 === sha256 || m.sourceSha256 === sha256));
    if (!model) {
      report.refused.push({ name: entry.name, reason: `its model ${entry.model.name} ${entry.model.version} is not on this station: import the model first` });
      continue;
    }
    const same = deps.recipes.state().recipes.find((r) => r.name === entry.name);
    try {
      deps.recipes.save(
        {
          ...(same ? { id: same.id } : {}),
          index: entry.index,
          name: entry.name,
          description: entry.description,
          modelId: model.id,
          thresholds: entry.thresholds,
        },
        actor,
      );
      report.imported.push(entry.name);
    } catch (err) {
      report.refused.push({ name: entry.name, reason: messageOf(err) });
    }
  }
  return { file, ...report };
}
