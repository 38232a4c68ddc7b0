/**
 * Camera health per source (issue 16): every picture the camera sends is
 * offered here beside the line. Identical bytes are caught at once, on every
 * frame; other pictures are sampled — at most five a second, one at a time
 * on libuv's pool (the line's decodes share it), a frame that comes meanwhile
 * not looked at (`skipped`: the stated sample, never a wait) — and decoded
 * once to grey, at most 256 px wide, for both the frozen-picture count and
 * blur and exposure (picture-quality.ts). A raw source's frames (pixels at the
 * model's size: sources/raw-frames.ts) are compared and measured as they are.
 */
import sharp from 'sharp';
import type { RawImage } from '../preprocess/image-types';
import type { PictureHealthConfig } from '../../shared/source-config';
import { FrozenPictureDetector, type FrozenState } from './frozen-picture';
import { greyThumbnail, measurePicture, type GreyPicture } from './picture-measures';
import { PictureQualityWatch, type PictureQualityFigures, type PictureQualityState } from './picture-quality';

/** At most five samples a second. */
const MIN_SAMPLE_INTERVAL_MS = 200;
/** Wide enough for a lens's fine edges to count, small enough to measure in well under a millisecond. */
const MEASURE_WIDTH = 256;

export interface CameraHealthConfig {
  readonly frozenFrames: number;
  readonly pictureHealth: PictureHealthConfig;
}

export interface CameraHealthHandlers {
  readonly onFrozen: (state: FrozenState) => void;
  readonly onQuality: (state: PictureQualityState) => void;
  /** The reference sharpness kept from an earlier run, and where a new one is kept (picture-quality.ts). */
  readonly reference?: { readonly reference: number | null; readonly keep: (reference: number) => void };
}

export interface CameraHealthFigures extends PictureQualityFigures {
  readonly frozen: boolean;
  /** Frames not looked at (one was being measured, or one was measured less than 200 ms before). */
  readonly skipped: number;
}

export class CameraHealth {
  private readonly frozen: FrozenPictureDetector;
  private readonly quality: PictureQualityWatch;
  private previousBytes: Uint8Array | null = null;
  private measuring = false;
  private lastSampleAt = -Infinity;
  skipped = 0;

  constructor(config: CameraHealthConfig, handlers: CameraHealthHandlers) {
    this.frozen = new FrozenPictureDetector(config.frozenFrames, handlers.onFrozen);
    this.quality = new PictureQualityWatch(config.pictureHealth, handlers.onQuality, handlers.reference);
  }

  /** The camera was refocused or replaced: its next pictures are the new reference. */
  retakeReference(): void {
    this.quality.retakeReference();
  }

  get isFrozen(): boolean {
    return this.frozen.isFrozen;
  }

  figures(): CameraHealthFigures {
    return { ...this.quality.figures(), frozen: this.frozen.isFrozen, skipped: this.skipped };
  }

  /** A picture the camera sent (its encoded bytes, or a raw source's pixels). Never throws, never waits. */
  offer(picture: Uint8Array | RawImage): void {
    const bytes = picture instanceof Uint8Array ? picture : picture.pixels;
    if (bytes.length === 0) return;
    const previous = this.previousBytes;
    if (previous && previous.length === bytes.length && Buffer.from(previous.buffer, previous.byteOffset, previous.length).equals(bytes)) {
      this.frozen.repeated();
      return;
    }
    const now = performance.now();
    if (this.measuring || now - this.lastSampleAt < MIN_SAMPLE_INTERVAL_MS) {
      this.skipped++;
      return;
    }
    this.measuring = true;
    this.lastSampleAt = now;
    void greyOf(picture)
      .then((grey) => {
        this.previousBytes = bytes;
        this.frozen.compare(greyThumbnail(grey));
        this.quality.observe(measurePicture(grey));
      })
      // A picture that does not decode is the line's to reject; it says nothing about the camera's health.
      .catch(() => {})
      .finally(() => {
        this.measuring = false;
      });
  }
}

async function greyOf(picture: Uint8Array | RawImage): Promise<GreyPicture> {
  const input =
    picture instanceof Uint8Array
      ? sharp(picture, { failOn: 'none' })
      : sharp(picture.pixels, { raw: { width: picture.width, height: picture.height, channels: picture.channels } });
  const { data, info } = await input.greyscale().resize({ width: MEASURE_WIDTH, withoutEnlargement: true }).raw().toBuffer({ resolveWithObject: true });
  // Greyscale with an alpha channel comes back two bytes a pixel: keep the grey.
  const channels = info.channels;
  const grey = channels === 1 ? new Uint8Array(data) : Uint8Array.from({ length: info.width * info.height }, (_, i) => data[i * channels]!);
  return { data: grey, width: info.width, height: info.height };
}
