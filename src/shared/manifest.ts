/**
 * The manifest that travels beside every model (models/<name>/manifest.json).
 *
 * Preprocessing must match training exactly (docs/BACKGROUND.md: one model was trained
 * on raw 0–255 pixels, others on ImageNet mean/std, and a mismatch silently
 * costs accuracy), so every model carries its own preprocessing spec and the
 * engine never guesses.
 *
 * Two tasks: image classification (the camera path) and tabular
 * classification (the sensor path: a feature vector in, class probabilities
 * out).
 */
import { z } from 'zod';
import { CalibrationSchema } from './calibration';
import { ParityRecordSchema, PRECISIONS } from './parity';

export const RESIZE_MODES = ['stretch', 'letterbox', 'center-crop', 'shorter-side-crop'] as const;
export type ResizeMode = (typeof RESIZE_MODES)[number];

/** Resampling kernels (sharp's names). Training pipelines differ: torchvision uses linear, PIL's default is cubic. */
export const INTERPOLATIONS = ['nearest', 'linear', 'cubic', 'lanczos3'] as const;
export type Interpolation = (typeof INTERPOLATIONS)[number];

export const CHANNEL_ORDERS = ['RGB', 'BGR', 'GRAY'] as const;
export type ChannelOrder = (typeof CHANNEL_ORDERS)[number];

/** Tensor element types the engine feeds and reads. float16 travels as raw half-precision bits (Node 20 has no Float16Array). */
export const TENSOR_DTYPES = ['float32', 'float16'] as const;
export type TensorDtype = (typeof TENSOR_DTYPES)[number];

const perChannel = z.union([z.tuple([z.number()]), z.tuple([z.number(), z.number(), z.number()])]);

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
    padColor: z.tuple([z.number().int().min(0).max(255), z.number().int().min(0).max(255), z.number().int().min(0).max(255)]).optional(),
    interpolation: z.enum(INTERPOLATIONS).default('lanczos3'),
    /**
     * How a JPEG at least twice the input is decoded (src/engine/preprocess/turbo-decoder.ts).
     * exact: as sharp does (straight from the DCT at 1/2, 1/4 or 1/8 only where at least 1.5× is left to
     * resize), the pixels the model was made with. dct: at the smallest such size that still holds the input,
     * as OpenCV's IMREAD_REDUCED_* (a 640×480 frame for 224×224: half size, ~0.2 ms a frame less); the pixels
     * move by about half a level of 255 and a weak model's probabilities by up to ~0.07, so only for a
     * model taught or calibrated that way.
     */
    jpegScaling: z.enum(['exact', 'dct']).default('exact'),
    /** GRAY: one channel, the image's luminance. */
    channelOrder: z.enum(CHANNEL_ORDERS),
    /** Multiplies the 0–255 pixel before mean/std: 1 for raw pixels, 1/255 for 0–1. */
    scale: z.number().positive(),
    /** One value per model channel, in the model's channel order (three for RGB/BGR, one for GRAY). */
    mean: perChannel,
    std: perChannel.refine((s) => s.every((v) => v > 0), 'std values must be greater than 0'),
  })
  .refine((p) => p.resize !== 'shorter-side-crop' || p.resizeShorterTo !== undefined, {
    message: 'resize "shorter-side-crop" needs resizeShorterTo',
    path: ['resizeShorterTo'],
  })
  .refine((p) => p.resizeShorterTo === undefined || p.resizeShorterTo >= Math.max(p.width, p.height) || p.resize !== 'shorter-side-crop', {
    message: 'resizeShorterTo must be at least the crop size',
    path: ['resizeShorterTo'],
  })
  .refine((p) => p.mean.length === channelCount(p.channelOrder) && p.std.length === channelCount(p.channelOrder), {
    message: 'mean and std need one value per channel: three for RGB/BGR, one for GRAY',
    path: ['mean'],
  });
export type Preprocessing = z.infer<typeof PreprocessingSchema>;

export function channelCount(order: ChannelOrder): 1 | 3 {
  return order === 'GRAY' ? 1 : 3;
}

/** docs/BACKGROUND.md: pit ≥ 0.75 → reject; maybe ≥ 0.5 → divert. */
export const DEFAULT_THRESHOLDS = { pit: 0.75, maybe: 0.5 } as const;

export const ThresholdsSchema = z
  .object({
    /** Score of the reject label at or above which the item is rejected. */
    pit: z.number().min(0).max(1),
    /** Score at or above which the item is diverted for a second look. */
    maybe: z.number().min(0).max(1),
  })
  .refine((t) => t.maybe <= t.pit, { message: 'maybe threshold must not exceed pit threshold', path: ['maybe'] });
export type Thresholds = z.infer<typeof ThresholdsSchema>;

const common = {
  schemaVersion: z.literal(1),
  name: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-" only'),
  version: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'letters, digits, ".", "_", "+" and "-" only'),
  description: z.string().optional(),
  /** The ONNX file, relative to the manifest's folder. */
  modelFile: z.string().min(1).default('model.onnx'),
  /** Class labels in the order of the model's output… */
  labels: z.array(z.string().min(1)).min(2).optional(),
  /** …or a text file (relative to the manifest) with one label per line. */
  labelsFile: z.string().min(1).optional(),
  /**
   * The label whose score drives reject / divert (e.g. cherry_pit). A model
   * without one can be inspected and benchmarked but never drive the line.
   */
  rejectLabel: z.string().min(1).optional(),
  output: z.object({
    /** The output that holds the class scores. */
    name: z.string().min(1),
    scores: z.enum(['probabilities', 'logits']),
  }),
  thresholds: ThresholdsSchema.default(DEFAULT_THRESHOLDS),
  /** sha256 of the ONNX file, hex; checked every time the model is loaded. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits'),
  provenance: z.record(z.string(), z.unknown()).optional(),
  /** Thresholds certified on a labelled set (calibration.ts); `thresholds` are then its proposal. */
  calibration: CalibrationSchema.optional(),
  /** Check pictures with the scores and decisions this model gave on them on the CPU (parity.ts): the parity gate's reference. */
  parity: ParityRecordSchema.optional(),
  /** 'reduced': a reduced-precision variant (float16, INT8), held to the reduced tolerance by the parity gate. Default full. */
  precision: z.enum(PRECISIONS).optional(),
};

/** An image model's input tensor. */
export const ImageInputSchema = z.object({
  name: z.string().min(1),
  layout: z.enum(['NCHW', 'NHWC']),
  dtype: z.enum(TENSOR_DTYPES),
  /** fixed: the model takes exactly one image per run; dynamic: any batch size. */
  batch: z.enum(['fixed', 'dynamic']),
});

const ImageManifestSchema = z.object({
  ...common,
  task: z.literal('image-classification'),
  input: ImageInputSchema,
  preprocessing: PreprocessingSchema,
});

const TabularManifestSchema = z.object({
  ...common,
  task: z.literal('tabular-classification'),
  input: z.object({
    name: z.string().min(1),
    dtype: z.literal('float32'),
    batch: z.enum(['fixed', 'dynamic']),
  }),
  /** Feature names, in the order of the model's input columns. */
  features: z.array(z.string().min(1)).min(1),
});

export const ModelManifestSchema = z
  .discriminatedUnion('task', [ImageManifestSchema, TabularManifestSchema])
  .refine((m) => (m.labels === undefined) !== (m.labelsFile === undefined), {
    message: 'give either labels or labelsFile, not both and not neither',
    path: ['labels'],
  })
  .refine((m) => m.rejectLabel === undefined || m.labels === undefined || m.labels.includes(m.rejectLabel), {
    message: 'rejectLabel must be one of labels',
    path: ['rejectLabel'],
  });
export type ModelManifest = z.infer<typeof ModelManifestSchema>;
export type ImageModelManifest = Extract<ModelManifest, { task: 'image-classification' }>;
export type TabularModelManifest = Extract<ModelManifest, { task: 'tabular-classification' }>;
export type ModelManifestInput = z.input<typeof ModelManifestSchema>;
