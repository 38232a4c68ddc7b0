/**
 * Teaching a model on the station (issue 15): the backbone package it starts
 * from, what a teaching run is asked, how far it is, and what it found on
 * the pictures it held out. The engine does it (src/engine/teach/); this is
 * its shape, for the page, the CLI and the manifest's provenance.
 */
import { z } from 'zod';
import { CalibrationOptionsSchema } from './calibration';
import { ImageInputSchema, PreprocessingSchema } from './manifest';

export const POOLINGS = ['average', 'average-and-max'] as const;
export type Pooling = (typeof POOLINGS)[number];

/**
 * A frozen, pretrained network to teach from (models/squeezenet-backbone/manifest.json): its file, its
 * input and preprocessing (the taught model keeps them), and where to cut it.
 */
export const BackboneManifestSchema = z.object({
  schemaVersion: z.literal(1),
  kind: z.literal('backbone'),
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  version: z.string().min(1).max(64),
  description: z.string().optional(),
  modelFile: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  input: ImageInputSchema,
  preprocessing: PreprocessingSchema,
  /** The inner tensor the taught head reads (its output is dropped from there on). */
  featureTensor: z.string().min(1),
  pooling: z.enum(POOLINGS),
  /** Its licence and where it came from, carried into every taught model's provenance. */
  licence: z.string().min(1),
  source: z.string().min(1),
});
export type BackboneManifest = z.infer<typeof BackboneManifestSchema>;

export const TEACH_PHASES = ['reading', 'features', 'fit', 'held-out', 'calibrate', 'import'] as const;
export type TeachPhase = (typeof TEACH_PHASES)[number];

export const TeachProgressSchema = z.object({
  runId: z.number().int(),
  phase: z.enum(TEACH_PHASES),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  elapsedMs: z.number().nonnegative(),
  /** The time left, estimated from the pace so far; null until there is a pace. */
  remainingMs: z.number().nonnegative().nullable(),
  message: z.string(),
});
export type TeachProgress = z.infer<typeof TeachProgressSchema>;

/** Held-out figures: at the argmax of the head, and the reject label's at 0.5. */
export const HeldOutFiguresSchema = z.object({
  n: z.number().int().nonnegative(),
  accuracy: z.number(),
  /** Defects (the reject label) the argmax found, of all held-out defects. */
  rejectRecall: z.number(),
  /** Good items the argmax called the reject label, of all held-out good items. */
  falseRejectRate: z.number(),
  /** rows: true label, columns: predicted label, in `labels` order. */
  confusion: z.array(z.array(z.number().int().nonnegative())),
  labels: z.array(z.string()),
});
export type HeldOutFigures = z.infer<typeof HeldOutFiguresSchema>;

export const TeachRequestSchema = z
  .object({
    /** A labelled folder on the station PC (one subfolder per label), under the import folders. */
    data: z.string().min(1).max(4096),
    rejectLabel: z.string().min(1).max(100),
    /** The model's name in the registry. */
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-" only')
      .max(100),
    /** Calibrate on the held-out pictures once taught (through the line's path). */
    calibration: CalibrationOptionsSchema.optional(),
  })
  .strict();
export type TeachRequest = z.infer<typeof TeachRequestSchema>;

export const TeachRunSchema = z.object({
  runId: z.number().int(),
  state: z.enum(['running', 'done', 'failed', 'cancelled']),
  request: TeachRequestSchema,
  progress: TeachProgressSchema.nullable(),
  /** When done: the registry's record id of the taught model, its version, and its figures. */
  modelId: z.number().int().nullable(),
  version: z.string().nullable(),
  heldOut: HeldOutFiguresSchema.nullable(),
  /** The thresholds its calibration on the held-out pictures proposed, with their bounds; null when not calibrated or refused. */
  calibrated: z
    .object({
      reject: z.number(),
      divert: z.number(),
      recallLowerBound: z.number(),
      falseRejectUpperBound: z.number(),
      nDefect: z.number().int(),
      nGood: z.number().int(),
    })
    .nullable(),
  /** Pictures per label, and held out per label. */
  counts: z.array(z.object({ label: z.string(), total: z.number().int(), heldOut: z.number().int() })),
  /** Why it failed, in words. */
  error: z.string().nullable(),
  notes: z.array(z.string()),
});
export type TeachRun = z.infer<typeof TeachRunSchema>;
