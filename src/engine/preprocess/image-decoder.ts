/**
 * Decode + resize, per the model's resize mode and kernel. Returns interleaved
 * 8-bit pixels (RGB, or one grey channel) at exactly the model's input size.
 * A JPEG goes the fast way where the machine has libjpeg-turbo and swscale
 * (turbo-decoder.ts); everything else, and every JPEG that path passes over,
 * goes through sharp. Both decode on libuv's thread pool, so the JS thread
 * only waits.
 */
import sharp from 'sharp';
import type { DecodedImage, ImageInput, RawImage, ResizeSpec } from './image-types';
import { fastDecodeAndResize } from './turbo-decoder';

export type { DecodedImage, ImageInput, RawImage, ResizeSpec } from './image-types';

// Every frame is new: libvips' operation cache only costs memory and copies here (measured: −0.9 ms a frame).
sharp.cache(false);

/** A frame that cannot be decoded; the message says why in plain words. */
export class FrameDecodeError extends Error {
  override readonly name = 'FrameDecodeError';
}

function isRaw(input: ImageInput): input is RawImage {
  return !(input instanceof Uint8Array);
}

function open(input: ImageInput): ReturnType<typeof sharp> {
  if (isRaw(input)) {
    const expected = input.width * input.height * input.channels;
    if (input.pixels.length !== expected) {
      throw new FrameDecodeError(`raw frame holds ${input.pixels.length} bytes, expected ${expected} for ${input.width}×${input.height}×${input.channels}`);
    }
    return sharp(input.pixels, { raw: { width: input.width, height: input.height, channels: input.channels } });
  }
  return sharp(input, { failOn: 'error' });
}

async function sizeOf(input: ImageInput): Promise<{ width: number; height: number }> {
  if (isRaw(input)) return { width: input.width, height: input.height };
  const meta = await sharp(input).metadata();
  return { width: meta.width, height: meta.height };
}

export async function decodeAndResize(input: ImageInput, spec: ResizeSpec): Promise<DecodedImage> {
  const fast = fastDecodeAndResize(input, spec);
  if (fast) {
    let decoded: DecodedImage | null;
    try {
      decoded = await fast;
    } catch (err) {
      throw new FrameDecodeError(`frame is not a readable image (${err instanceof Error ? err.message : String(err)})`);
    }
    if (decoded) return decoded;
  }
  return decodeWithSharp(input, spec);
}

/** sharp's way, for every input and resize mode: the reference the fast path is held to (turbo-decoder.test.ts). */
export async function decodeWithSharp(input: ImageInput, spec: ResizeSpec): Promise<DecodedImage> {
  const channels = spec.channelOrder === 'GRAY' ? 1 : 3;
  try {
    let pipeline = open(input);
    pipeline = channels === 1 ? pipeline.greyscale() : pipeline.toColourspace('srgb');
    // A transparent pixel is composited onto black, explicitly: left to the resize, premultiplied
    // alpha would do the same only where the kernel happens to sample it.
    pipeline = pipeline.flatten({ background: { r: 0, g: 0, b: 0 } });
    const { width, height } = spec;
    const kernel = spec.interpolation;
    switch (spec.resize) {
      case 'stretch':
        pipeline = pipeline.resize(width, height, { fit: 'fill', kernel });
        break;
      case 'letterbox': {
        const [r, g, b] = spec.padColor ?? [0, 0, 0];
        pipeline = pipeline.resize(width, height, { fit: 'contain', position: 'centre', background: { r, g, b, alpha: 1 }, kernel });
        break;
      }
      case 'center-crop':
        pipeline = pipeline.resize(width, height, { fit: 'cover', position: 'centre', kernel });
        break;
      case 'shorter-side-crop': {
        // One scale for both axes (sharp derives the longer side), as torchvision's Resize(n) + CenterCrop.
        const size = await sizeOf(input);
        const shorter = spec.resizeShorterTo ?? Math.max(width, height);
        const portrait = size.width <= size.height;
        const rw = portrait ? shorter : Math.round((size.width * shorter) / size.height);
        const rh = portrait ? Math.round((size.height * shorter) / size.width) : shorter;
        pipeline = (portrait ? pipeline.resize({ width: shorter, kernel }) : pipeline.resize({ height: shorter, kernel })).extract({
          left: Math.max(0, Math.floor((rw - width) / 2)),
          top: Math.max(0, Math.floor((rh - height) / 2)),
          width,
          height,
        });
        break;
      }
    }
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== channels || info.width !== width || info.height !== height) {
      throw new FrameDecodeError(`decoded to ${info.width}×${info.height}×${info.channels}, expected ${width}×${height}×${channels}`);
    }
    return { pixels: data, width, height, channels };
  } catch (err) {
    if (err instanceof FrameDecodeError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new FrameDecodeError(`frame is not a readable image (${reason.split('\n')[0]})`);
  }
}
