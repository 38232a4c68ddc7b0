import { describe, expect, it } from 'vitest';
import { fillTensor, type PixelSpec, type TensorLayout } from '../../../src/engine/preprocess/tensor-fill';

/** Plainly written reference: one pixel, one channel at a time, straight from the formula. */
function reference(rgb: Uint8Array, w: number, h: number, spec: PixelSpec, layout: TensorLayout): Float32Array {
  const out = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        const sourceChannel = spec.channelOrder === 'RGB' ? c : 2 - c;
        const pixel = rgb[(y * w + x) * 3 + sourceChannel]!;
        const value = (pixel * spec.scale - spec.mean[c]!) / spec.std[c]!;
        const index = layout === 'NCHW' ? c * w * h + y * w + x : (y * w + x) * 3 + c;
        out[index] = value;
      }
    }
  }
  return out;
}

function randomPixels(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

const SPECS: Record<string, PixelSpec> = {
  imagenet: { channelOrder: 'RGB', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  caffeBgr: { channelOrder: 'BGR', scale: 1, mean: [104, 117, 123], std: [1, 1, 1] },
  raw: { channelOrder: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] },
};

describe('fillTensor', () => {
  for (const [name, spec] of Object.entries(SPECS)) {
    for (const layout of ['NCHW', 'NHWC'] as const) {
      it(`matches the reference for ${name}, ${layout}`, () => {
        const w = 7;
        const h = 5;
        const rgb = randomPixels(w * h * 3, w * 31 + h);
        const out = new Float32Array(w * h * 3);
        fillTensor(rgb, w, h, spec, layout, out);
        const expected = reference(rgb, w, h, spec, layout);
        for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(expected[i]!, 4);
      });
    }
  }

  it('writes at an offset (one item of a batch) and leaves the rest alone', () => {
    const rgb = randomPixels(2 * 2 * 3, 7);
    const out = new Float32Array(2 * 12).fill(-99);
    fillTensor(rgb, 2, 2, SPECS['raw']!, 'NCHW', out, 12);
    expect([...out.subarray(0, 12)].every((v) => v === -99)).toBe(true);
    expect(out[12]).toBe(rgb[0]);
  });

  it('refuses buffers of the wrong size with a message', () => {
    expect(() => fillTensor(new Uint8Array(5), 2, 2, SPECS['raw']!, 'NCHW', new Float32Array(12))).toThrow(/pixel buffer holds 5 bytes/);
    expect(() => fillTensor(new Uint8Array(12), 2, 2, SPECS['raw']!, 'NCHW', new Float32Array(6))).toThrow(/tensor buffer too small/);
  });
});
