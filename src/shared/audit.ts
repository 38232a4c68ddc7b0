/** The audit trail as the UI sees it. */
import { z } from 'zod';

export const AuditEntrySchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.string(),
  subject: z.enum(['thresholds', 'model', 'config', 'shadow', 'label', 'recipe']),
  old: z.unknown(),
  new: z.unknown(),
  reason: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
