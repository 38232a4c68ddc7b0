/**
 * Camera configuration: which frame source, and how it is watched. Relative
 * paths are resolved against the config file's folder.
 */
import { z } from 'zod';

/** Blur and exposure (engine/camera-health/picture-quality.ts): warnings, the model keeps deciding. */
export const PictureHealthSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** The first this many pictures measured give the camera's reference sharpness. */
    referencePictures: z.number().int().min(3).max(1000).default(25),
    /** Judged on the median of the last this many pictures measured (one plain item is not a blurred lens). */
    windowPictures: z.number().int().min(1).max(1000).default(9),
    /** Blurred when the window's sharpness falls below this share of the reference. */
    blurRatio: z.number().gt(0).lt(1).default(0.3),
    /** Mean grey level (0–255) outside these is too dark or too bright. */
    minLuminance: z.number().min(0).max(255).default(30),
    maxLuminance: z.number().min(0).max(255).default(225),
    /** Share of pixels pure black or white above which the picture is clipped. */
    maxClipped: z.number().gt(0).max(1).default(0.25),
  })
  .strict()
  .refine((c) => c.minLuminance < c.maxLuminance, 'minLuminance must be below maxLuminance');
export type PictureHealthConfig = z.infer<typeof PictureHealthSchema>;

const watched = {
  /** No frame for this long raises the camera alarm and engages the fail-safe. */
  stallMs: z.number().int().min(100).max(600_000).default(2000),
  /**
   * This many pictures in a row the same (or near: re-encoded, a little noise) is a frozen camera: alarm and
   * fail-safe until the picture changes (engine/camera-health/frozen-picture.ts). 0: never. 100 is 10 s at 10 fps.
   */
  frozenFrames: z
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .refine((n) => n !== 1, 'frozenFrames is 0 (never) or at least 2: one picture alone cannot be frozen')
    .default(100),
  /** Blur and exposure, measured on the same sample of pictures as a frozen camera. */
  pictureHealth: PictureHealthSchema.default(PictureHealthSchema.parse({})),
  /**
   * A frame (or file) larger than this is not read: its item is rejected fail-safe, so a broken or hostile
   * camera cannot eat the memory. 20 MB is far above any inspection camera's JPEG.
   */
  maxFrameBytes: z.number().int().min(1024).max(100_000_000).default(20_000_000),
};

const reconnect = {
  /** Wait before the first reconnect, doubled after each failure up to reconnectMaxMs. */
  reconnectMinMs: z.number().int().min(10).max(60_000).default(250),
  reconnectMaxMs: z.number().int().min(10).max(600_000).default(5000),
};

/** The fastest a replay (or ffmpeg's -r) may be asked to run. */
export const MAX_SOURCE_FPS = 1000;

export const ReplaySourceSchema = z
  .object({
    kind: z.literal('replay'),
    /** Folder of images, replayed in name order. Default: the bundled demo frames… */
    dir: z.string().min(1).optional(),
    /** …or a list of image files, replayed in this order. */
    files: z.array(z.string().min(1)).min(1).optional(),
    fps: z.number().positive().max(MAX_SOURCE_FPS).default(10),
    loop: z.boolean().default(true),
    /** Replay at most this many frames (then stop, or start again when looping). */
    limit: z.number().int().positive().optional(),
    ...watched,
  })
  .strict();

export const HotFolderSourceSchema = z
  .object({
    kind: z.literal('hot-folder'),
    /** The folder a smart camera or an FTP server writes into. */
    dir: z.string().min(1),
    /** What to do with a file once it was read: keep it (and never read it again), move it to processedDir, or delete it. */
    afterRead: z.enum(['keep', 'move', 'delete']).default('move'),
    /** Default: processed/ inside dir. */
    processedDir: z.string().min(1).optional(),
    /** A file is taken once its size has not changed for this long (the writer has finished). */
    settleMs: z.number().int().min(10).max(60_000).default(200),
    extensions: z.array(z.string().regex(/^\.[a-z0-9]+$/i)).default(['.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp']),
    ...watched,
  })
  .strict();

export const MjpegSourceSchema = z
  .object({
    kind: z.literal('mjpeg'),
    /** An IP camera's multipart/x-mixed-replace stream. */
    url: z.url({ protocol: /^https?$/ }),
    /** No byte for this long ends the connection, and a new one is made. */
    readTimeoutMs: z.number().int().min(100).max(600_000).default(3000),
    ...reconnect,
    ...watched,
  })
  .strict();

export const FfmpegSourceSchema = z
  .object({
    kind: z.literal('ffmpeg'),
    /**
     * ffmpeg's input arguments, e.g. ["-f", "v4l2", "-i", "/dev/video0"] (Linux camera),
     * ["-f", "dshow", "-i", "video=USB Camera"] (Windows), ["-rtsp_transport", "tcp", "-i", "rtsp://…"].
     */
    input: z.array(z.string()).min(2),
    /** Default: the ffmpeg shipped in @ffmpeg-installer/ffmpeg. */
    ffmpegPath: z.string().min(1).optional(),
    /** Frames per second to take from the input (ffmpeg -r); default: as the input gives them. */
    fps: z.number().positive().max(MAX_SOURCE_FPS).optional(),
    /** JPEG quality of the frames ffmpeg hands over, 2 (best) … 31. */
    quality: z.number().int().min(2).max(31).default(4),
    /**
     * jpeg: ffmpeg hands over JPEG frames at the camera's size. raw: ffmpeg scales each frame to the model's input
     * (its size, fit and kernel) and hands over the pixels: no JPEG encode in ffmpeg and no decode in the station; the
     * picture kept and shown is a JPEG made from those pixels, at the model's size. Needs libturbojpeg (else JPEG).
     */
    frames: z.enum(['jpeg', 'raw']).default('jpeg'),
    ...reconnect,
    ...watched,
  })
  .strict();

export const SourceConfigSchema = z.discriminatedUnion('kind', [ReplaySourceSchema, HotFolderSourceSchema, MjpegSourceSchema, FfmpegSourceSchema]);
export type SourceConfig = z.infer<typeof SourceConfigSchema>;
export type ReplaySourceConfig = z.infer<typeof ReplaySourceSchema>;
export type HotFolderSourceConfig = z.infer<typeof HotFolderSourceSchema>;
export type MjpegSourceConfig = z.infer<typeof MjpegSourceSchema>;
export type FfmpegSourceConfig = z.infer<typeof FfmpegSourceSchema>;

export const PipelineConfigSchema = z
  .object({
    /** Frames allowed to wait for the model; beyond it a frame is dropped (and rejected fail-safe). */
    queueLimit: z.number().int().min(1).max(1000).default(4),
    /** Which frame a full queue drops: the oldest waiting (fresh frames win) or the one that just came. */
    dropPolicy: z.enum(['drop-oldest', 'drop-newest']).default('drop-oldest'),
    /** Frames decoded at once (sharp, on libuv's pool). 1 suits a 2-core PC; more pays with more cores. */
    decodeConcurrency: z.number().int().min(1).max(16).default(1),
  })
  .strict();
export type PipelineConfig = z.infer<typeof PipelineConfigSchema>;
