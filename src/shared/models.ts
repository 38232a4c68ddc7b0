/** The model registry as the UI sees it. */
import { z } from 'zod';

/** What a model package can be used for, said at import and before activation (issue 12). */
export const ModelUseSchema = z.object({
  /** It can be activated to decide the line's items: an image classifier that names its reject class. */
  line: z.boolean(),
  /** What it can and cannot be used for, in words a technician reads ("can drive the line: …", "cannot drive the line: …"). */
  words: z.string(),
});
export type ModelUse = z.infer<typeof ModelUseSchema>;

/**
 * One rule for the engine (which refuses an activation with these words) and the pages (which label a package
 * with them): only an image classifier whose manifest names its rejectLabel can drive the reject.
 */
export function modelUse(manifest: { readonly task: string; readonly rejectLabel?: string | undefined }): ModelUse {
  if (manifest.task === 'tabular-classification')
    return { line: false, words: 'a sensor model: for machine health (sensors.model in the config), it cannot drive the line' };
  if (manifest.task !== 'image-classification') return { line: false, words: `cannot drive the line: it is a ${manifest.task} model, not an image classifier` };
  if (manifest.rejectLabel === undefined)
    return { line: false, words: 'cannot drive the line: its manifest names no rejectLabel, the class that means reject' };
  return { line: true, words: `can drive the line: items it scores as "${manifest.rejectLabel}" are rejected` };
}

export const ModelRecordSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  version: z.string(),
  task: z.enum(['image-classification', 'tabular-classification']),
  /** Of the model file as the station stores it (after repairs), checked at every load. */
  sha256: z.string(),
  /** Of the model file as it was shipped (its manifest's sha256, before repairs). */
  sourceSha256: z.string(),
  source: z.string(),
  importedAt: z.string(),
  importedBy: z.string(),
  /** What the import repaired (ZipMap, denormals, float16 edges). */
  notes: z.array(z.string()),
  active: z.boolean(),
  /**
   * The configured model (model.dir, the bundled demo by default), registered at start so that a rollback reaches it.
   * It runs from its folder, not copied: `source` is its manifest there, and its hash is checked at every load all the same.
   */
  configured: z.boolean(),
  /** What it can be used for: only a model that can drive the line can be activated. */
  use: ModelUseSchema,
  /** A rollback now goes to this model (at most one record says so). */
  rollbackTarget: z.boolean(),
  /** The parity gate's newest finding when it was loaded to decide (issue 16); null before its first. */
  parity: z.object({ at: z.string(), provider: z.string(), passed: z.boolean(), message: z.string() }).nullable(),
});
export type ModelRecord = z.infer<typeof ModelRecordSchema>;

export const ModelActivationSchema = z.object({
  seq: z.number().int(),
  modelId: z.number().int(),
  name: z.string(),
  version: z.string(),
  action: z.enum(['activate', 'rollback']),
  at: z.string(),
  actor: z.string(),
  reason: z.string().nullable(),
});
export type ModelActivation = z.infer<typeof ModelActivationSchema>;

export const ImportReportSchema = z.object({
  model: ModelRecordSchema,
  /** The provider the trial load ran on, and why earlier ones in the list did not. */
  provider: z.string(),
  fallbacks: z.array(z.object({ provider: z.string(), reason: z.string() })),
  alreadyImported: z.boolean(),
});
export type ImportReport = z.infer<typeof ImportReportSchema>;

/** A model package found in one of the import folders (a USB stick), for the Models page's list. */
export const ImportCandidateSchema = z.object({
  /** The package's folder on the station PC: what importModel takes. */
  path: z.string(),
  name: z.string(),
  version: z.string(),
  task: z.string(),
  /** Of the model file, as its manifest gives it (the import checks the file against it). */
  sha256: z.string(),
  /**
   * The registry and this package: no model of that name and version (`absent`), the same file (`same`: its hash is the one the
   * registry's was shipped with), or a different file under the same name and version (`different`: it cannot be imported as it is).
   */
  registry: z.enum(['absent', 'same', 'different']),
  use: ModelUseSchema,
});
export type ImportCandidate = z.infer<typeof ImportCandidateSchema>;

export const ImportCandidatesSchema = z.object({
  /** The folders searched (those that exist). */
  roots: z.array(z.string()),
  candidates: z.array(ImportCandidateSchema),
  /** Manifests found that could not be read, with why. */
  unreadable: z.array(z.object({ path: z.string(), problem: z.string() })),
});
export type ImportCandidates = z.infer<typeof ImportCandidatesSchema>;

/** The steps of an import, in order, as the Models page shows them. */
export const IMPORT_STEPS = ['read', 'compare', 'trial-load', 'store'] as const;
export type ImportStep = (typeof IMPORT_STEPS)[number];

export const ImportProgressSchema = z.object({
  /** The id the UI gave with its importModel request. */
  taskId: z.string(),
  step: z.enum(IMPORT_STEPS),
  /** Index of the step, 0-based, of IMPORT_STEPS.length. */
  index: z.number().int(),
  steps: z.number().int(),
  state: z.enum(['running', 'done', 'failed']),
  message: z.string(),
});
export type ImportProgress = z.infer<typeof ImportProgressSchema>;
