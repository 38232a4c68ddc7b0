/** What the decoders take and give (image-decoder.ts, turbo-decoder.ts, sws-scaler.ts). */
import type { Preprocessing } from '../../shared/manifest';

/** Pixels already decoded (a raw camera buffer, or the bench's pre-decoded frames). */
export interface RawImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
  readonly pixels: Uint8Array;
}

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
