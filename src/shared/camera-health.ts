/** Camera health as Diagnostics draws it (engine/camera-health/): the sampled pictures' sharpness and exposure. */
import { z } from 'zod';

export const CameraHealthSchema = z.object({
  frozen: z.boolean(),
  /** Median sharpness of the camera's first pictures; null while they are being taken. */
  referenceSharpness: z.number().nullable(),
  /** Pictures measured since start, and frames passed over (the sample). */
  measured: z.number().int(),
  skipped: z.number().int(),
  /** The latest measured pictures, oldest first (capped). */
  points: z.array(z.object({ at: z.number(), sharpness: z.number(), luminance: z.number(), clipped: z.number() })),
  limits: z.object({ blurRatio: z.number(), minLuminance: z.number(), maxLuminance: z.number(), maxClipped: z.number() }),
});
export type CameraHealthReport = z.infer<typeof CameraHealthSchema>;
