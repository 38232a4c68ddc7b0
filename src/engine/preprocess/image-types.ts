/** What the decoders take and give (image-decoder.ts, turbo-decoder.ts, sws-scaler.ts). */
import type { Preprocessing } from '../../shared/manifest';

/** Pixels already decoded (a raw camera buffer, or the bench's pre-decoded frames). */
export interface RawImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
  readonly pixels: Uint8Array;
}

/**
 * Raw pixels a source delivered (ffmpeg's raw frames: sources/raw-frames.ts), with the picture people see of them:
 * a JPEG made the first time it is asked for, null where none can be made.
 */
export interface RawFrameImage extends RawImage {
  picture(): Uint8Array | null;
}

export const isRawFrameImage = (image: ImageInput): image is RawFrameImage =>
  !(image instanceof Uint8Array) && typeof (image as Partial<RawFrameImage>).picture === 'function';

/** An encoded image (JPEG, PNG, …) or raw pixels. */
export type ImageInput = Uint8Array | RawImage;

export interface DecodedImage {
  /** width × height × channels bytes, interleaved. */
  readonly pixels: Buffer;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
}

/** The part of a model's preprocessing the decoders read. */
export type ResizeSpec = Pick<Preprocessing, 'width' | 'height' | 'resize' | 'resizeShorterTo' | 'padColor' | 'interpolation' | 'channelOrder'> &
  Partial<Pick<Preprocessing, 'jpegScaling'>>;
