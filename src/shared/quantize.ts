/**
 * Making an INT8 variant of an image model on the station (issue 18): what a
 * technician asks, how far it is, and what came of it. The engine quantises
 * (src/engine/quantize/, in a worker: src/engine/variants/); the variant is
 * registered like any model and goes live only once calibrated (models.ts
 * QuantizedVariant) and through the parity gate.
 */
import { z } from 'zod';
import { ModelRecordSchema } from './models';

/** How the activation ranges are measured: a percentile of each tensor's values, their extremes, or the least squared error. */
export const QUANTIZE_METHODS = ['percentile', 'minmax', 'mse'] as const;
export type QuantizeMethod = (typeof QUANTIZE_METHODS)[number];

/** The defaults of npm run quantize: the best of those tried on the casting model's held-out pictures (CHANGELOG, issue 18). */
export const DEFAULT_PERCENTILE = 99.99;
export const DEFAULT_MAX_FRAMES = 5000;

export const QuantizeRequestSchema = z
  .object({
    /** The registered image model to make a variant of (full precision). */
    modelId: z.number().int().positive(),
    /** A folder of pictures of the line, good and defective alike, under the import folders or the labelled captures. */
    frames: z.string().min(1).max(4096),
    method: z.enum(QUANTIZE_METHODS).default('percentile'),
    /** For the percentile method: above 90, at most 100. */
    percentile: z.number().gt(90).max(100).default(DEFAULT_PERCENTILE),
    /** The pictures measured, evenly picked from the folder. */
    maxFrames: z.number().int().min(1).max(100_000).default(DEFAULT_MAX_FRAMES),
    taskId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional(),
  })
  .strict();
export type QuantizeRequest = z.infer<typeof QuantizeRequestSchema>;

/** reading: the pictures; measuring: ranges, frame by frame; writing: the INT8 graph and its package; importing: into the registry. */
export const QUANTIZE_STAGES = ['reading', 'measuring', 'writing', 'importing'] as const;
export type QuantizeStage = (typeof QUANTIZE_STAGES)[number];

export const QuantizeProgressSchema = z.object({
  taskId: z.string(),
  stage: z.enum(QUANTIZE_STAGES),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  message: z.string(),
});
export type QuantizeProgress = z.infer<typeof QuantizeProgressSchema>;

/** What the quantiser did: nodes run in int8 and those left in float (the head, by rule), on how many frames. */
export const QuantizeReportSchema = z.object({
  quantizedNodes: z.number().int().nonnegative(),
  floatNodes: z.array(z.string()),
  weights: z.number().int().nonnegative(),
  activations: z.number().int().nonnegative(),
  foldedRelus: z.number().int().nonnegative(),
  foldedBatchNorms: z.number().int().nonnegative(),
  opsetFrom: z.number().int(),
  /** The range method in words ("percentile 99.99"). */
  method: z.string(),
  frames: z.number().int().nonnegative(),
  /** Pictures of the folder picked but not measured (unreadable, too large, a link out of the import folders). */
  passedOver: z.number().int().nonnegative(),
  /** The folder, links resolved. */
  folder: z.string(),
});
export type QuantizeReport = z.infer<typeof QuantizeReportSchema>;

export const QuantizeResultSchema = z.object({
  /** The variant as registered: not active, and blocked from going live until calibrated (model.quantized). */
  model: ModelRecordSchema,
  report: QuantizeReportSchema,
  /** The provider its trial load ran on. */
  provider: z.string(),
  durationMs: z.number().nonnegative(),
});
export type QuantizeResult = z.infer<typeof QuantizeResultSchema>;
