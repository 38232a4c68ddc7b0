/** Machine health and the sensors behind it, as the UI sees them. */
import { z } from 'zod';

export const HEALTH_LEVELS = ['unknown', 'ok', 'warn', 'alarm'] as const;

export const SensorStatusSchema = z.object({
  id: z.string(),
  kind: z.string(),
  description: z.string(),
  state: z.enum(['starting', 'running', 'down', 'finished', 'stopped']),
  readings: z.number(),
  /** Junk lines and values dropped, by reason (partial, too-long, checksum, malformed, out-of-range, no-channel, read-error). */
  junk: z.record(z.string(), z.number()),
  reconnects: z.number(),
  lastError: z.string().optional(),
});
export type SensorStatus = z.infer<typeof SensorStatusSchema>;

export const MachineHealthSchema = z.object({
  state: z.enum(HEALTH_LEVELS),
  /** Why the state is unknown (not enough samples yet, every sensor down). */
  reason: z.string().optional(),
  /** p_fail × environmental multiplier, capped at 1. */
  risk: z.number().nullable(),
  pFail: z.number().nullable(),
  multiplier: z.number(),
  /** The environmental rules that applied. */
  rules: z.array(z.string()),
  model: z.object({ name: z.string(), version: z.string(), provider: z.string() }),
  evaluatedAt: z.string().nullable(),
  sensors: z.array(SensorStatusSchema),
  /** The latest value of each channel. */
  channels: z.record(z.string(), z.number()),
});
export type MachineHealth = z.infer<typeof MachineHealthSchema>;
