/** One inspected item as the UI sees it. */
import { z } from 'zod';
import { DECISIONS } from './decision';

export const InspectionSchema = z.object({
  frameId: z.number().int(),
  /** ISO 8601, UTC */
  capturedAt: z.string(),
  origin: z.string(),
  decision: z.enum(DECISIONS),
  /** Score of the reject label; null when the item was rejected without one (fail-safe). */
  rejectScore: z.number().nullable(),
  scores: z.record(z.string(), z.number()),
  failSafeReason: z.string().optional(),
  totalMs: z.number(),
  modelVersion: z.string(),
});
export type Inspection = z.infer<typeof InspectionSchema>;
