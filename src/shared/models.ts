/** The model registry as the UI sees it. */
import { z } from 'zod';

export const ModelRecordSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  version: z.string(),
  task: z.enum(['image-classification', 'tabular-classification']),
  /** Of the stored model.onnx (after repairs), checked at every load. */
  sha256: z.string(),
  /** Of the file as it was imported. */
  sourceSha256: z.string(),
  source: z.string(),
  importedAt: z.string(),
  importedBy: z.string(),
  /** What the import repaired (ZipMap, denormals, float16 edges). */
  notes: z.array(z.string()),
  active: z.boolean(),
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
  /** The same name and version are in the registry already. */
  inRegistry: z.boolean(),
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
