/**
 * Raw frames from ffmpeg (frames "raw", ffmpeg-source.ts): the filter that
 * scales the camera's picture to the model's input with the model's own
 * kernel and geometry, the cutter that takes width × height × 3 bytes at a
 * time off ffmpeg's pipe, and the frame the line gets — pixels it decides on
 * without a JPEG decode, and a JPEG made from them (turbo-encoder.ts) the first
 * time the live view or the image keeper asks for the picture (issue 18).
 */
import type { Interpolation, Preprocessing } from '../../shared/manifest';
import type { RawFrameImage } from '../preprocess/image-types';
import { encodeJpeg } from '../preprocess/turbo-encoder';
import { ByteChunks } from './byte-chunks';

/** What ffmpeg scales to: the model's input and how its pictures are fitted to it (the manifest's preprocessing). */
export type RawGeometry = Pick<Preprocessing, 'width' | 'height' | 'resize' | 'resizeShorterTo' | 'padColor' | 'interpolation'>;

const FLAGS: Record<Interpolation, string> = { nearest: 'neighbor', linear: 'bilinear', cubic: 'bicubic', lanczos3: 'lanczos' };

/**
 * ffmpeg's filter for the geometry, always giving exactly width × height: stretch scales to it; center-crop covers
 * it and crops the centre; shorter-side-crop scales the shorter side to resizeShorterTo and crops; letterbox fits
 * inside and pads with padColor. The line's preprocessing then finds the picture at its size already.
 */
export function scaleFilter(g: RawGeometry): string {
  const { width: w, height: h } = g;
  const flags = `flags=${FLAGS[g.interpolation]}`;
  switch (g.resize) {
    case 'stretch':
      return `scale=${w}:${h}:${flags}`;
    case 'center-crop':
      return `scale=${w}:${h}:force_original_aspect_ratio=increase:${flags},crop=${w}:${h}`;
    case 'shorter-side-crop': {
      const s = g.resizeShorterTo ?? Math.max(w, h);
      return `scale=w='if(lt(iw,ih),${s},-1)':h='if(lt(iw,ih),-1,${s})':${flags},crop=${w}:${h}`;
    }
    case 'letterbox': {
      const [r, gr, b] = g.padColor ?? [0, 0, 0];
      const colour = [r, gr, b].map((c) => c.toString(16).padStart(2, '0')).join('');
      return `scale=${w}:${h}:force_original_aspect_ratio=decrease:${flags},pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=0x${colour}`;
    }
  }
}

/** Pixels with their picture made once, when first asked; null when it cannot be made (it is then not kept or shown). */
export function rawFrame(width: number, height: number, pixels: Uint8Array): RawFrameImage {
  let picture: Uint8Array | null | undefined;
  return {
    width,
    height,
    channels: 3,
    pixels,
    picture: () => {
      if (picture === undefined) {
        try {
          picture = encodeJpeg({ width, height, channels: 3, pixels });
        } catch {
          picture = null;
        }
      }
      return picture;
    },
  };
}

/** Cuts ffmpeg's rawvideo pipe into frames of exactly `frameBytes`; what is left when ffmpeg stops is not a frame. */
export class RawFrameCutter {
  private readonly pending = new ByteChunks();

  constructor(
    private readonly frameBytes: number,
    private readonly onFrame: (pixels: Uint8Array) => void,
  ) {
    if (!Number.isInteger(frameBytes) || frameBytes < 1) throw new RangeError(`a raw frame of ${frameBytes} bytes`);
  }

  /** Bytes of a frame cut short so far (ffmpeg stopped mid-frame: the next ffmpeg starts a cutter of its own). */
  get partial(): number {
    return this.pending.size;
  }

  push(chunk: Buffer): void {
    let data = chunk;
    while (data.length > 0) {
      if (this.pending.size === 0 && data.length >= this.frameBytes) {
        // A whole frame in one chunk: copied out, so that the frame does not hold the pipe's whole chunk.
        this.onFrame(Uint8Array.prototype.slice.call(data, 0, this.frameBytes));
        data = data.subarray(this.frameBytes);
        continue;
      }
      const part = data.subarray(0, this.frameBytes - this.pending.size);
      this.pending.add(part);
      data = data.subarray(part.length);
      if (this.pending.size === this.frameBytes) this.onFrame(this.pending.take(this.frameBytes).body);
    }
  }
}
