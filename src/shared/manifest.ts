/**
 * The manifest that travels beside every model.onnx (models/<name>/manifest.json).
 *
 * Preprocessing must match training exactly (BRIEF.md: one model was trained
 * on raw 0–255 pixels, others on ImageNet mean/std, and a mismatch silently
 * costs accuracy), so every model carries its own preprocessing spec and the
 * engine never guesses.
 */
import { z } from 'zod';

export const RESIZE_MODES = ['stretch', 'letterbox', 'center-crop', 'shorter-side-crop'] as const;
export type ResizeMode = (typeof RESIZE_MODES)[number];

const perChannel = z.tuple([z.number(), z.number(), z.number()]);

export const PreprocessingSchema = z
  .object({
    width: z.number().int().min(8).max(4096),
    height: z.number().int().min(8).max(4096),
    /**
     * stretch: resize to width×height ignoring aspect;
     * letterbox: fit inside, pad with `padColor`;
     * center-crop: cover width×height, crop the centre;
     * shorter-side-crop: shorter side to `resizeShorterTo`, then crop the centre width×height
     * (torchvision's Resize(256) + CenterCrop(224)).
     */
    resize: z.enum(RESIZE_MODES),
    resizeShorterTo: z.number().int().positive().optional(),
    padColor: perChannel.optional(),
    channelOrder: z.enum(['RGB', 'BGR']),
    /** Multiplies the 0–255 pixel before mean/std: 1 for raw pixels, 1/255 for 0–1. */
    scale: z.number().positive(),
    mean: perChannel,
    std: perChannel.refine((s) => s.every((v) => v > 0), 'std values must be greater than 0'),
  })
  .refine((p) => p.resize !== 'shorter-side-crop' || p.resizeShorterTo !== undefined, {
    message: 'resize "shorter-side-crop" needs resizeShorterTo',
    path: ['resizeShorterTo'],
  });
export type Preprocessing = z.infer<typeof PreprocessingSchema>;

export const ThresholdsSchema = z
  .object({
    /** Score of the reject label at or above which the item is rejected. */
    pit: z.number().min(0).max(1),
    /** Score at or above which the item is diverted for a second look. */
    maybe: z.number().min(0).max(1),
  })
  .refine((t) => t.maybe <= t.pit, { message: 'maybe threshold must not exceed pit threshold', path: ['maybe'] });
export type Thresholds = z.infer<typeof ThresholdsSchema>;

export const ModelManifestSchema = z
  .object({
    schemaVersion: z.literal(1),
    name: z
      .string()
      .min(1)
      .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-" only'),
    version: z.string().min(1),
    task: z.literal('image-classification'),
    description: z.string().optional(),
    labels: z.array(z.string().min(1)).min(2),
    /** The label whose score drives reject / divert (e.g. cherry_pit). */
    rejectLabel: z.string().min(1),
    input: z.object({
      name: z.string().min(1),
      layout: z.enum(['NCHW', 'NHWC']),
      dtype: z.literal('float32'),
      batch: z.enum(['fixed', 'dynamic']),
    }),
    output: z.object({
      name: z.string().min(1),
      scores: z.enum(['probabilities', 'logits']),
    }),
    preprocessing: PreprocessingSchema,
    thresholds: ThresholdsSchema,
    /** sha256 of model.onnx, hex; checked every time the model is loaded. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits'),
    provenance: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((m) => m.labels.includes(m.rejectLabel), {
    message: 'rejectLabel must be one of labels',
    path: ['rejectLabel'],
  });
export type ModelManifest = z.infer<typeof ModelManifestSchema>;
