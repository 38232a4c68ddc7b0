/**
 * The one tight loop of the hot path: interleaved 8-bit pixels (HWC, as sharp
 * returns them: R,G,B or one grey byte) into the float tensor layout a model
 * expects.
 *
 * Writes into a caller-owned Float32Array so the hot path allocates nothing
 * per frame (docs/BACKGROUND.md: ~0.16 ms at 224² when fused into one pass).
 */
import type { ChannelOrder } from '../../shared/manifest';

export type TensorLayout = 'NCHW' | 'NHWC';

export interface PixelSpec {
  readonly channelOrder: ChannelOrder;
  readonly scale: number;
  /** One value per model channel. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/**
 * Fills `out` from `offset` with one image of width×height. `pixels` holds
 * width*height*3 bytes (R,G,B per pixel) or, for GRAY, width*height bytes.
 */
export function fillTensor(pixels: Uint8Array, width: number, height: number, spec: PixelSpec, layout: TensorLayout, out: Float32Array, offset = 0): void {
  const plane = width * height;
  const channels = spec.channelOrder === 'GRAY' ? 1 : 3;
  if (pixels.length < plane * channels) {
    throw new RangeError(`pixel buffer holds ${pixels.length} bytes, expected ${plane * channels} for ${width}×${height}×${channels}`);
  }
  if (out.length < offset + plane * channels) {
    throw new RangeError(`tensor buffer too small: ${out.length - offset} floats free, ${plane * channels} needed`);
  }
  // (p * scale - mean) / std  ==  p * a + b, folded once per channel.
  const a0 = spec.scale / spec.std[0]!;
  const b0 = -spec.mean[0]! / spec.std[0]!;
  if (channels === 1) {
    for (let i = 0; i < plane; i++) out[offset + i] = pixels[i]! * a0 + b0;
    return;
  }
  const a1 = spec.scale / spec.std[1]!;
  const a2 = spec.scale / spec.std[2]!;
  const b1 = -spec.mean[1]! / spec.std[1]!;
  const b2 = -spec.mean[2]! / spec.std[2]!;
  // Source byte feeding model channel c (a BGR model reads the blue byte first).
  const s0 = spec.channelOrder === 'RGB' ? 0 : 2;
  const s1 = 1;
  const s2 = spec.channelOrder === 'RGB' ? 2 : 0;
  if (layout === 'NCHW') {
    const o0 = offset;
    const o1 = offset + plane;
    const o2 = offset + 2 * plane;
    for (let i = 0, p = 0; i < plane; i++, p += 3) {
      out[o0 + i] = pixels[p + s0]! * a0 + b0;
      out[o1 + i] = pixels[p + s1]! * a1 + b1;
      out[o2 + i] = pixels[p + s2]! * a2 + b2;
    }
  } else {
    for (let i = 0, p = 0; i < plane; i++, p += 3) {
      const o = offset + p;
      out[o] = pixels[p + s0]! * a0 + b0;
      out[o + 1] = pixels[p + s1]! * a1 + b1;
      out[o + 2] = pixels[p + s2]! * a2 + b2;
    }
  }
}
