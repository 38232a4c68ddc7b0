/**
 * Decode + resize with sharp, per the model's resize mode. Returns interleaved
 * RGB bytes at exactly the model's input size. sharp runs on libuv's thread
 * pool, so the JS thread only waits asynchronously.
 */
import sharp from 'sharp';
import type { Preprocessing } from '../../../shared/manifest';

export interface DecodedImage {
  readonly rgb: Buffer;
  readonly width: number;
  readonly height: number;
}

/** A frame that cannot be decoded; the message says why in plain words. */
export class FrameDecodeError extends Error {
  override readonly name = 'FrameDecodeError';
}

type ResizeSpec = Pick<Preprocessing, 'width' | 'height' | 'resize' | 'resizeShorterTo' | 'padColor'>;

export async function decodeAndResize(image: Uint8Array, spec: ResizeSpec): Promise<DecodedImage> {
  try {
    let pipeline = sharp(image, { failOn: 'error' }).toColourspace('srgb').removeAlpha();
    const { width, height } = spec;
    switch (spec.resize) {
      case 'stretch':
        pipeline = pipeline.resize(width, height, { fit: 'fill' });
        break;
      case 'letterbox': {
        const [r, g, b] = spec.padColor ?? [0, 0, 0];
        pipeline = pipeline.resize(width, height, { fit: 'contain', background: { r, g, b } });
        break;
      }
      case 'center-crop':
        pipeline = pipeline.resize(width, height, { fit: 'cover', position: 'centre' });
        break;
      case 'shorter-side-crop': {
        const meta = await sharp(image).metadata();
        const shorter = spec.resizeShorterTo ?? Math.max(width, height);
        const factor = shorter / Math.min(meta.width, meta.height);
        const rw = Math.max(width, Math.round(meta.width * factor));
        const rh = Math.max(height, Math.round(meta.height * factor));
        pipeline = pipeline.resize(rw, rh, { fit: 'fill' }).extract({ left: Math.floor((rw - width) / 2), top: Math.floor((rh - height) / 2), width, height });
        break;
      }
    }
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== width || info.height !== height) {
      throw new FrameDecodeError(`decoded to ${info.width}×${info.height}×${info.channels}, expected ${width}×${height}×3`);
    }
    return { rgb: data, width, height };
  } catch (err) {
    if (err instanceof FrameDecodeError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new FrameDecodeError(`frame is not a readable image (${reason.split('\n')[0]})`);
  }
}
