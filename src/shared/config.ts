/**
 * The station's configuration file (JSON), validated with zod. Every key is
 * optional: what is left out takes the embedded demo default. Unknown keys are
 * refused, so a typo is reported instead of silently ignored.
 *
 * Relative paths are resolved against the config file's folder.
 */
import { z } from 'zod';
import { ThresholdsSchema } from './manifest';

const ReplaySourceSchema = z
  .object({
    kind: z.literal('replay'),
    /** Folder of images, replayed in name order. Default: the bundled demo frames. */
    dir: z.string().min(1).optional(),
    fps: z.number().positive().max(1000).default(10),
    loop: z.boolean().default(true),
    /** Replay at most this many frames (then stop, or start again when looping). */
    limit: z.number().int().positive().optional(),
  })
  .strict();

export const StationConfigSchema = z
  .object({
    station: z
      .object({
        id: z
          .string()
          .min(1)
          .max(64)
          .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only')
          .default('demo-station'),
        name: z.string().min(1).max(120).default('LineSight demo station'),
      })
      .strict()
      .default({ id: 'demo-station', name: 'LineSight demo station' }),
    model: z
      .object({
        /** A model package folder (model.onnx + manifest.json). Default: the bundled demo model. */
        dir: z.string().min(1).optional(),
        /** Overrides the manifest's default thresholds. */
        thresholds: ThresholdsSchema.optional(),
      })
      .strict()
      .default({}),
    source: ReplaySourceSchema.default({ kind: 'replay', fps: 10, loop: true }),
    inference: z
      .object({
        /**
         * Threads for one inference. Default 1: on a 2-core station PC the other
         * core decodes frames and serves the UI (ENGINEERING.md).
         */
        intraOpThreads: z.number().int().min(1).max(64).default(1),
        warmupRuns: z.number().int().min(0).max(100).default(3),
      })
      .strict()
      .default({ intraOpThreads: 1, warmupRuns: 3 }),
    storage: z
      .object({
        /** Commit the log at least this often… */
        flushIntervalMs: z.number().int().min(10).max(10_000).default(100),
        /** …or as soon as this many rows wait. */
        flushRows: z.number().int().min(1).max(10_000).default(64),
      })
      .strict()
      .default({ flushIntervalMs: 100, flushRows: 64 }),
    server: z
      .object({
        port: z.number().int().min(1).max(65_535).default(5780),
      })
      .strict()
      .default({ port: 5780 }),
  })
  .strict();

export type StationConfig = z.infer<typeof StationConfigSchema>;
export type StationConfigInput = z.input<typeof StationConfigSchema>;
