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

/**
 * An INT8 variant made from another model (issue 18): what it was made from and how, and whether its recall has been
 * certified again on this station. It may go live (activation, a promoted shadow trial, a recipe) only once a
 * calibration on a labelled set has proposed thresholds for this very file, and then only through the parity gate.
 */
export const QuantizedVariantSchema = z.object({
  from: z.object({ name: z.string(), version: z.string(), sha256: z.string() }),
  /** How its activation ranges were measured, in words ("percentile 99.99 on 300 frames"). */
  method: z.string(),
  /** Its newest calibration on this station, when that proposed thresholds (its recall certified); null until then. */
  certified: z.object({ at: z.string(), by: z.string(), recallLowerBound: z.number().nullable() }).nullable(),
  /** Why it cannot go live yet, in words a technician acts on; null once certified. */
  blocked: z.string().nullable(),
});
export type QuantizedVariant = z.infer<typeof QuantizedVariantSchema>;

/** What a manifest says of the model it was quantised from: null for any model that is not a reduced-precision variant of another. */
export function variantOrigin(manifest: {
  readonly precision?: string | undefined;
  readonly provenance?: Record<string, unknown> | undefined;
}): Pick<QuantizedVariant, 'from' | 'method'> | null {
  const from = manifest.provenance?.['quantizedFrom'];
  if (manifest.precision !== 'reduced' || typeof from !== 'object' || from === null) return null;
  const { name, version, sha256 } = from as Record<string, unknown>;
  if (typeof name !== 'string' || typeof version !== 'string') return null;
  const q = manifest.provenance?.['quantization'];
  const { method, frames } = typeof q === 'object' && q !== null ? (q as Record<string, unknown>) : {};
  return { from: { name, version, sha256: typeof sha256 === 'string' ? sha256 : '' }, method: rangeWords(method, frames) };
}

/** A range method in words, as the technician chose it (the Models page's dialog, the variant's record). */
export function rangeMethodWords(kind: string, percentile?: number): string {
  if (kind === 'percentile') return `percentile ${percentile ?? '?'}`;
  return kind === 'mse' ? 'least squared error' : kind === 'minmax' ? 'MinMax' : kind;
}

/** The manifest's provenance.quantization method (written by the engine, read back as unknown) in words. */
function rangeWords(method: unknown, frames: unknown): string {
  const m = typeof method === 'object' && method !== null ? (method as Record<string, unknown>) : {};
  const how = rangeMethodWords(typeof m['kind'] === 'string' ? m['kind'] : 'ranges', typeof m['percentile'] === 'number' ? m['percentile'] : undefined);
  return typeof frames === 'number' ? `${how} on ${frames} frames` : how;
}

/**
 * The go-live rule for a variant, in the words the engine refuses with and the Models page shows: its newest calibration
 * on this station (by name, version and file hash), which must have proposed thresholds.
 */
export function variantCertification(
  model: { readonly name: string; readonly version: string },
  origin: Pick<QuantizedVariant, 'from'>,
  calibration: {
    readonly at: string;
    readonly by: string;
    readonly thresholds: unknown;
    readonly refused: string | null;
    readonly recallLowerBound: number | null;
  } | null,
): Pick<QuantizedVariant, 'certified' | 'blocked'> {
  const what = `${model.name} ${model.version} is an INT8 variant of ${origin.from.name} ${origin.from.version}`;
  if (!calibration)
    return {
      certified: null,
      blocked: `${what} and needs calibration before it can go live: calibrate ${model.name} ${model.version} on a labelled set first (Thresholds page, Calibrate, with this model chosen)`,
    };
  if (calibration.thresholds === null)
    return {
      certified: null,
      blocked: `${what}; its calibration of ${calibration.at} proposed no thresholds (${calibration.refused ?? 'refused'}): calibrate ${model.name} ${model.version} on a labelled set with more defects first (Thresholds page)`,
    };
  return { certified: { at: calibration.at, by: calibration.by, recallLowerBound: calibration.recallLowerBound }, blocked: null };
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
  /** An INT8 variant of another model (issue 18), and whether it may go live yet; null for any other model. */
  quantized: QuantizedVariantSchema.nullable(),
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
