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
