/**
 * One second of the station, for the Diagnostics page's charts: the engine
 * keeps the last ten minutes (getDiagnosticsHistory) and sends each new one
 * as a `sample` event.
 */
import { z } from 'zod';
import { StageNames, type StageName } from './status';

const IntervalLatencySchema = z.object({ p50: z.number(), p95: z.number(), p99: z.number(), count: z.number() });

export const DiagnosticsSampleSchema = z.object({
  /** Epoch milliseconds. */
  at: z.number(),
  /** Decisions per second over this interval. */
  fps: z.number(),
  /** Frames the camera delivered per second over this interval. */
  sourceFps: z.number(),
  /** Frames dropped during the interval (pipeline full). */
  dropped: z.number(),
  /** Per stage, over this interval only; null for a stage that saw nothing. */
  latencyMs: z.object(
    Object.fromEntries(StageNames.map((s) => [s, IntervalLatencySchema.nullable()])) as Record<StageName, z.ZodNullable<typeof IntervalLatencySchema>>,
  ),
  /** The main thread's event-loop delay p99 over this interval. */
  loopDelayMs: z.number(),
  /** This process (engine, its workers) as a share of the whole machine, 0..100. */
  cpuPct: z.number(),
  rssBytes: z.number(),
  /** Machine health: risk and each sensor channel's RMS over its window; null without sensors. */
  machine: z
    .object({
      risk: z.number().nullable(),
      channels: z.record(z.string(), z.number()),
    })
    .nullable(),
});
export type DiagnosticsSample = z.infer<typeof DiagnosticsSampleSchema>;

/** Ten minutes at one sample a second. */
export const DIAGNOSTICS_HISTORY = 600;
