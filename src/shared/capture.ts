/**
 * Captures (issue 16): items kept to teach from — maybe-band items, shadow
 * disagreements, items from drift windows, a random sample, and items a
 * person labelled — with their scores and, once a person said, what each
 * really was. Labelled captures are a labelled set (engine/capture/).
 */
import { z } from 'zod';
import { DECISIONS } from './decision';
import { DISAGREEMENT_KINDS } from './shadow';

export const CAPTURE_REASONS = ['maybe', 'disagreement', 'drift', 'random', 'person'] as const;
export type CaptureReason = (typeof CAPTURE_REASONS)[number];
export const ITEM_LABELS = ['good', 'defective'] as const;
export type ItemLabel = (typeof ITEM_LABELS)[number];

export const CaptureSchema = z.object({
  id: z.number().int(),
  at: z.string(),
  frameId: z.number().int(),
  reason: z.enum(CAPTURE_REASONS),
  model: z.object({ name: z.string(), version: z.string() }),
  decision: z.enum(DECISIONS),
  rejectScore: z.number().nullable(),
  inspectionSeq: z.number().int().nullable(),
  trialId: z.number().int().nullable(),
  disagreement: z.enum(DISAGREEMENT_KINDS).nullable(),
  candidate: z.object({ decision: z.enum(DECISIONS), score: z.number() }).nullable(),
  label: z.enum(ITEM_LABELS).nullable(),
  labelledBy: z.string().nullable(),
  labelledAt: z.string().nullable(),
});
export type Capture = z.infer<typeof CaptureSchema>;

export const CaptureFilterSchema = z
  .object({
    reason: z.enum(CAPTURE_REASONS).optional(),
    trialId: z.number().int().positive().optional(),
    labelled: z.enum(['yes', 'no', 'any']).default('any'),
  })
  .strict();
export type CaptureFilter = z.infer<typeof CaptureFilterSchema>;

/** Which item a person labels: one on the reject strip (a recent frame still in memory), one in History, or a capture. */
export const LabelTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('frame'), frameId: z.number().int().nonnegative() }).strict(),
  z.object({ kind: z.literal('inspection'), seq: z.number().int().positive() }).strict(),
  z.object({ kind: z.literal('capture'), id: z.number().int().positive() }).strict(),
]);
export type LabelTarget = z.infer<typeof LabelTargetSchema>;

export const CaptureSummarySchema = z.object({
  /** Captures kept now, by reason. */
  byReason: z.record(z.string(), z.number().int()),
  labelled: z.object({ good: z.number().int(), defective: z.number().int() }),
  /** Labels given, per person (from the audit trail). */
  labelsBy: z.array(z.object({ actor: z.string(), count: z.number().int() })),
  /** Items a quota or the cap passed over since start, by reason. */
  passedOver: z.record(z.string(), z.number().int()),
  /** The labelled set's folder (Teach and Calibrate read it as they read a stick's). */
  folder: z.string(),
});
export type CaptureSummary = z.infer<typeof CaptureSummarySchema>;
