/**
 * Every resize mode, both layouts and every channel order, against a plainly
 * written reference. The source images are made of uniform k×k blocks and
 * are shrunk by exactly k with the nearest kernel, so the right output is
 * known pixel for pixel whatever the library does inside: block (x, y) of
 * the source is pixel (x, y) of the result, shifted by the crop or the
 * padding that the resize mode implies.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PreprocessingSchema, type ImageModelManifest } from '../../../src/shared/manifest';
import { decodeAndResize, FrameDecodeError } from '../../../src/engine/preprocess/image-decoder';
import { Preprocessor } from '../../../src/engine/preprocess/preprocessor';

/** The colour of block (bx, by): distinct, not symmetric, so a flip or a shift shows. */
const blockColour = (bx: number, by: number): [number, number, number] => [
  (bx * 37 + by * 11) % 256,
  (bx * 5 + by * 53 + 40) % 256,
  (bx * 91 + by * 7 + 100) % 256,
];

/** An image of `bw`×`bh` blocks of k×k pixels (k×ky when ky is given), as raw RGB bytes. */
function blockImage(bw: number, bh: number, k: number, grey = false, ky = k): { pixels: Buffer; width: number; height: number } {
  const width = bw * k;
  const height = bh * ky;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = blockColour(Math.floor(x / k), Math.floor(y / ky));
      const v = grey ? [c[0], c[0], c[0]] : c;
      pixels.set(v, (y * width + x) * 3);
    }
  }
  return { pixels, width, height };
}

async function png(img: { pixels: Buffer; width: number; height: number }): Promise<Buffer> {
  return sharp(img.pixels, { raw: { width: img.width, height: img.height, channels: 3 } })
    .png()
    .toBuffer();
}

/** Reference: pixel (x, y) of the output, in RGB, given where the resized content sits. */
function expectedPixel(x: number, y: number, place: { dx: number; dy: number; w: number; h: number }, pad: [number, number, number]): [number, number, number] {
  const cx = x - place.dx;
  const cy = y - place.dy;
  if (cx < 0 || cy < 0 || cx >= place.w || cy >= place.h) return pad;
  return blockColour(cx, cy);
}

const spec = (p: Record<string, unknown>) =>
  PreprocessingSchema.parse({ width: 16, height: 16, channelOrder: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1], interpolation: 'nearest', ...p });

async function checkGeometry(
  source: { bw: number; bh: number; k: number; ky?: number },
  p: Record<string, unknown>,
  place: { dx: number; dy: number; w: number; h: number },
  pad: [number, number, number] = [0, 0, 0],
): Promise<void> {
  const image = await png(blockImage(source.bw, source.bh, source.k, false, source.ky));
  const s = spec(p);
  const out = await decodeAndResize(image, s);
  expect([out.width, out.height, out.channels]).toEqual([s.width, s.height, 3]);
  const mismatches: string[] = [];
  for (let y = 0; y < s.height; y++) {
    for (let x = 0; x < s.width; x++) {
      const want = expectedPixel(x, y, place, pad);
      const got = [...out.pixels.subarray((y * s.width + x) * 3, (y * s.width + x) * 3 + 3)];
      if (got.some((v, i) => v !== want[i])) mismatches.push(`(${x},${y}) got ${got} want ${want}`);
    }
  }
  expect(mismatches.slice(0, 5)).toEqual([]);
}

describe('decodeAndResize, against the block reference', () => {
  it('stretch: each axis scaled on its own, aspect ignored', async () => {
    // 16×16 blocks of 2×3 pixels (32×48) → 16×16: x by ½, y by ⅓
    await checkGeometry({ bw: 16, bh: 16, k: 2, ky: 3 }, { resize: 'stretch' }, { dx: 0, dy: 0, w: 16, h: 16 });
  });

  it('center-crop: cover the box, cut the middle of the long side', async () => {
    // 16×20 blocks of 2 → cover 16×16 at ½ → 16×20, rows 2..17 kept
    await checkGeometry({ bw: 16, bh: 20, k: 2 }, { resize: 'center-crop' }, { dx: 0, dy: -2, w: 16, h: 20 });
  });

  it('letterbox: fit inside, pad the short side evenly with the pad colour', async () => {
    // 16×8 blocks of 2 → contain 16×16 at ½ → 16×8 in the middle: 4 rows of padding above and below
    await checkGeometry({ bw: 16, bh: 8, k: 2 }, { resize: 'letterbox', padColor: [9, 200, 30] }, { dx: 0, dy: 4, w: 16, h: 8 }, [9, 200, 30]);
  });

  it('shorter-side-crop: shorter side to resizeShorterTo, then the centre crop', async () => {
    // 24×20 blocks of 2 (48×40 px): shorter side 40 → 20 (×½) gives 24×20, crop 16×16 at (4, 2)
    await checkGeometry({ bw: 24, bh: 20, k: 2 }, { resize: 'shorter-side-crop', resizeShorterTo: 20 }, { dx: -4, dy: -2, w: 24, h: 20 });
  });

  it('GRAY: one channel, the grey value', async () => {
    const image = await png(blockImage(16, 16, 2, true));
    const out = await decodeAndResize(image, spec({ resize: 'stretch', channelOrder: 'GRAY', mean: [0], std: [1] }));
    expect(out.channels).toBe(1);
    expect(out.pixels.length).toBe(16 * 16);
    expect(out.pixels[3 * 16 + 5]).toBe(blockColour(5, 3)[0]);
  });

  it('reads RGBA (transparent onto black), greyscale files (expanded to RGB) and raw pixels alike', async () => {
    const img = blockImage(16, 16, 2);
    const rgba = Buffer.alloc(32 * 32 * 4);
    for (let i = 0; i < 32 * 32; i++) {
      img.pixels.copy(rgba, i * 4, i * 3, i * 3 + 3);
      const [x, y] = [i % 32, Math.floor(i / 32)];
      rgba[i * 4 + 3] = x < 2 && y < 2 ? 0 : 255; // block (0, 0) transparent
    }
    const rgbaPng = await sharp(rgba, { raw: { width: 32, height: 32, channels: 4 } })
      .png()
      .toBuffer();
    const fromRgba = await decodeAndResize(rgbaPng, spec({ resize: 'stretch' }));
    const fromRaw = await decodeAndResize({ width: 32, height: 32, channels: 3, pixels: img.pixels }, spec({ resize: 'stretch' }));
    expect([...fromRgba.pixels.subarray(0, 3)]).toEqual([0, 0, 0]);
    expect(fromRgba.pixels.subarray(3).equals(fromRaw.pixels.subarray(3))).toBe(true);
    expect([...fromRaw.pixels.subarray(0, 3)]).toEqual(blockColour(0, 0));

    const grey = await sharp(blockImage(16, 16, 2, true).pixels, { raw: { width: 32, height: 32, channels: 3 } })
      .greyscale()
      .png()
      .toBuffer();
    const fromGrey = await decodeAndResize(grey, spec({ resize: 'stretch' }));
    expect(fromGrey.channels).toBe(3);
    const g = blockColour(1, 0)[0];
    expect([...fromGrey.pixels.subarray(3, 6)]).toEqual([g, g, g]);
  });

  it('refuses what is not an image, and raw frames of the wrong size, with a FrameDecodeError', async () => {
    await expect(decodeAndResize(Buffer.from('not an image at all'), spec({ resize: 'stretch' }))).rejects.toThrow(FrameDecodeError);
    await expect(decodeAndResize(Buffer.from('not an image at all'), spec({ resize: 'stretch' }))).rejects.toThrow(/frame is not a readable image/);
    const jpeg = await sharp(blockImage(16, 16, 2).pixels, { raw: { width: 32, height: 32, channels: 3 } })
      .jpeg()
      .toBuffer();
    await expect(decodeAndResize(jpeg.subarray(0, 200), spec({ resize: 'stretch' }))).rejects.toThrow(FrameDecodeError);
    await expect(decodeAndResize({ width: 10, height: 10, channels: 3, pixels: new Uint8Array(10) }, spec({ resize: 'stretch' }))).rejects.toThrow(
      /raw frame holds 10 bytes, expected 300/,
    );
  });
});

describe('Preprocessor, end to end against the reference', () => {
  const manifest = (p: Record<string, unknown>, layout: 'NCHW' | 'NHWC'): Pick<ImageModelManifest, 'preprocessing' | 'input'> => ({
    preprocessing: spec({ resize: 'stretch', ...p }),
    input: { name: 'x', layout, dtype: 'float32', batch: 'dynamic' },
  });

  for (const layout of ['NCHW', 'NHWC'] as const) {
    for (const order of ['RGB', 'BGR'] as const) {
      it(`${order}, ${layout}, ImageNet mean/std, into slot 1 of a batch`, async () => {
        const mean = [0.485, 0.456, 0.406];
        const std = [0.229, 0.224, 0.225];
        const pre = new Preprocessor(manifest({ channelOrder: order, scale: 1 / 255, mean, std }, layout));
        expect(pre.itemDims).toEqual(layout === 'NCHW' ? [1, 3, 16, 16] : [1, 16, 16, 3]);
        const batch = new Float32Array(2 * pre.itemSize).fill(-7);
        await pre.prepare(await png(blockImage(16, 16, 2)), batch, 1);
        expect(batch[0]).toBe(-7); // slot 0 untouched
        for (const [x, y] of [
          [0, 0],
          [5, 3],
          [15, 15],
        ] as const) {
          const rgb = blockColour(x, y);
          for (let c = 0; c < 3; c++) {
            const source = order === 'RGB' ? rgb[c]! : rgb[2 - c]!;
            const want = (source / 255 - mean[c]!) / std[c]!;
            const index = pre.itemSize + (layout === 'NCHW' ? c * 256 + y * 16 + x : (y * 16 + x) * 3 + c);
            expect(batch[index]).toBeCloseTo(want, 4);
          }
        }
      });
    }
  }

  it('GRAY: [1, 1, H, W] with the one mean and std', async () => {
    const pre = new Preprocessor(manifest({ channelOrder: 'GRAY', scale: 1, mean: [128], std: [64] }, 'NCHW'));
    expect(pre.itemDims).toEqual([1, 1, 16, 16]);
    const out = new Float32Array(pre.itemSize);
    await pre.prepare(await png(blockImage(16, 16, 2, true)), out);
    expect(out[16 * 2 + 7]).toBeCloseTo((blockColour(7, 2)[0] - 128) / 64, 5);
  });
});
