/**
 * The parity gate (issue 16): every model version carries check pictures with
 * the scores and decisions it gave on them through the line's own path on the
 * CPU (its parity record, in its manifest, the pictures in its `check/`
 * folder). Before a model may decide — on every load, provider or setting
 * change, and for a reduced-precision variant — they are run again and must
 * agree: full precision within PARITY_TOLERANCE.full and the same decisions;
 * reduced precision within PARITY_TOLERANCE.reduced and the same decisions
 * except on pictures that close to a threshold. The engine does it
 * (src/engine/parity/); this is its shape.
 */
import { z } from 'zod';
import { DECISIONS } from './decision';

export const PRECISIONS = ['full', 'reduced'] as const;
export type Precision = (typeof PRECISIONS)[number];

/** Largest |Δp| on any label of any check picture, by the precision of the model checked. */
export const PARITY_TOLERANCE: Readonly<Record<Precision, number>> = { full: 1e-4, reduced: 0.02 };

/** At most this many check pictures travel with a model: enough to cover its labels and thresholds, few enough to run on every load. */
export const MAX_CHECK_PICTURES = 16;

export const CheckPictureRecordSchema = z.object({
  /** Relative to the manifest's folder, inside `check/`. */
  file: z.string().regex(/^check\/[A-Za-z0-9_-][A-Za-z0-9._-]{0,119}$/, 'a file in check/, its name not starting with a dot'),
  /** The label it is known to be, where known (taught models' pictures). */
  label: z.string().optional(),
  /** The probability of each label, in the model's label order. */
  scores: z.array(z.number().min(0).max(1)),
  decision: z.enum(DECISIONS),
});
export type CheckPictureRecord = z.infer<typeof CheckPictureRecordSchema>;

export const ParityRecordSchema = z.object({
  recordedAt: z.string(),
  /** The provider the reference was computed on (the CPU). */
  recordedOn: z.string(),
  /** The thresholds the reference decisions were taken at. */
  thresholds: z.object({ pit: z.number().min(0).max(1), maybe: z.number().min(0).max(1) }),
  pictures: z.array(CheckPictureRecordSchema).min(1).max(MAX_CHECK_PICTURES),
});
export type ParityRecord = z.infer<typeof ParityRecordSchema>;

export const ParityResultSchema = z.object({
  at: z.string(),
  model: z.object({ name: z.string(), version: z.string() }),
  provider: z.string(),
  precision: z.enum(PRECISIONS),
  tolerance: z.number(),
  passed: z.boolean(),
  pictures: z.number().int(),
  /** The largest difference: which picture, which label, the recorded and the computed probability. */
  worst: z.object({ file: z.string(), label: z.string(), recorded: z.number(), now: z.number(), delta: z.number() }).nullable(),
  /** Pictures whose decision changed (beyond what the precision allows). */
  decisionsChanged: z.array(z.object({ file: z.string(), recorded: z.enum(DECISIONS), now: z.enum(DECISIONS) })),
  /** One sentence: the log, the audit trail, the Models page. */
  message: z.string(),
});
export type ParityResult = z.infer<typeof ParityResultSchema>;
