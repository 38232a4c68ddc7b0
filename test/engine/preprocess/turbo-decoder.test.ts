/**
 * The fast JPEG path (libjpeg-turbo + swscale through koffi) held to sharp's,
 * the reference every model was made with: the same geometry for every resize
 * mode and kernel (a crop or a shift off by a pixel shows as a large
 * difference at every edge), the same decisions of the real casting model, and
 * hostile files refused or handed to sharp, never a crash. CI installs
 * libturbojpeg0 and libswscale (.ci/run); without them this file fails, so the
 * fast path cannot go untested.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { PreprocessingSchema, type Preprocessing } from '../../../src/shared/manifest';
import { decodeAndResize, decodeWithSharp, FrameDecodeError } from '../../../src/engine/preprocess/image-decoder';
import { decoderInfo, decoderStatus } from '../../../src/engine/preprocess/native-codecs';
import { dctDenominator, sourceRect, turboDecodeAndResize } from '../../../src/engine/preprocess/turbo-decoder';
import { isImagePackage, loadModelPackage } from '../../../src/engine/model-package';
import { scoreRejects } from '../../../src/engine/evaluation/score-images';
import { CASTINGS, CASTING_MODEL_DIR } from '../../helpers/castings';

const spec = (p: Partial<Preprocessing>): Preprocessing =>
  PreprocessingSchema.parse({
    width: 224,
    height: 224,
    channelOrder: 'RGB',
    scale: 1,
    mean: p.channelOrder === 'GRAY' ? [0] : [0, 0, 0],
    std: p.channelOrder === 'GRAY' ? [1] : [1, 1, 1],
    resize: 'stretch',
    interpolation: 'linear',
    ...p,
  });

function castingFiles(step: number): string[] {
  const files: string[] = [];
  for (const label of ['def_front', 'ok_front']) {
    const names = readdirSync(join(CASTINGS, label)).sort();
    for (let i = 0; i < names.length; i += step) files.push(join(CASTINGS, label, names[i]!));
  }
  return files;
}

/** Mean and 99th percentile of |fast − sharp| over every byte of every frame. */
async function difference(frames: readonly Uint8Array[], s: Preprocessing): Promise<{ mean: number; p99: number; fastUsed: boolean }> {
  const diffs: number[] = [];
  let fastUsed = true;
  for (const f of frames) {
    const fast = await turboDecodeAndResize(f, s);
    if (!fast) fastUsed = false;
    const reference = await decodeWithSharp(f, s);
    const got = fast ?? reference;
    expect([got.width, got.height, got.channels]).toEqual([reference.width, reference.height, reference.channels]);
    for (let i = 0; i < got.pixels.length; i++) diffs.push(Math.abs(got.pixels[i]! - reference.pixels[i]!));
  }
  diffs.sort((a, b) => a - b);
  return { mean: diffs.reduce((a, b) => a + b, 0) / diffs.length, p99: diffs[Math.floor(diffs.length * 0.99)]!, fastUsed };
}

describe('the fast JPEG path', () => {
  let camera: Uint8Array[];
  beforeAll(async () => {
    // Real pictures as a camera's 640×480 and a 1280×720 frame (so that every DCT scale and both aspects are seen).
    const files = castingFiles(400);
    camera = await Promise.all(
      files.map(
        async (f, i) =>
          new Uint8Array(
            await sharp(f)
              .resize(i % 2 ? 1280 : 640, i % 2 ? 720 : 480, { fit: 'fill' })
              .jpeg({ quality: 90 })
              .toBuffer(),
          ),
      ),
    );
  });

  it('runs on this machine, and Diagnostics names its libraries', () => {
    expect(decoderInfo()).toMatchObject({ decoder: 'libjpeg-turbo + swscale' });
    expect(decoderStatus().detail).toMatch(/turbojpeg.*swscale/);
  });

  it('picks the DCT scale that leaves the seen part at least the model’s size', () => {
    const input = { width: 224, height: 224 };
    expect(dctDenominator({ w: 640, h: 480 }, input)).toBe(2);
    expect(dctDenominator({ w: 1920, h: 1080 }, input)).toBe(4);
    expect(dctDenominator({ w: 2000, h: 2000 }, input)).toBe(8);
    expect(dctDenominator({ w: 300, h: 300 }, input)).toBe(1);
    expect(dctDenominator({ w: 447, h: 1000 }, input)).toBe(1);
    // center-crop of 1280×720 sees 720×720 of it: a quarter is 180, under 224, so a half.
    expect(dctDenominator(sourceRect(1280, 720, spec({ resize: 'center-crop' }))!, input)).toBe(2);
  });

  const cases: [string, Partial<Preprocessing>][] = [
    ['stretch, linear', { resize: 'stretch', interpolation: 'linear' }],
    ['stretch, nearest', { resize: 'stretch', interpolation: 'nearest' }],
    ['center-crop, lanczos3', { resize: 'center-crop', interpolation: 'lanczos3' }],
    ['center-crop, cubic, BGR', { resize: 'center-crop', interpolation: 'cubic', channelOrder: 'BGR' }],
    ['shorter-side-crop to 256, linear', { resize: 'shorter-side-crop', resizeShorterTo: 256, interpolation: 'linear' }],
    ['GRAY, stretch, cubic', { resize: 'stretch', interpolation: 'cubic', channelOrder: 'GRAY' }],
    ['a 100×60 input (not square), stretch', { width: 100, height: 60, resize: 'stretch' }],
  ];
  it.each(cases)('%s: within a few levels of sharp’s pixels', async (_name, p) => {
    const s = spec(p);
    const d = await difference(camera, s);
    expect(d.fastUsed).toBe(true);
    // Measured on these pictures: stretch mean 0.2–1.6; the crops up to 2.4, as sharp crops after its
    // resize and rounds there, while the fast path crops the decoded frame (half a decoded pixel apart at
    // most). A crop two pixels off gives a mean of 4–7, a swapped channel over 10.
    const crop = s.resize !== 'stretch';
    expect(d.mean).toBeLessThan(crop ? 3 : 2);
    expect(d.p99).toBeLessThan(s.interpolation === 'nearest' || crop ? 30 : 12);
  });

  it('hands sharp what it does not take: letterbox, PNG, CMYK, a grey JPEG for a colour model', async () => {
    const [frame] = camera;
    expect(await turboDecodeAndResize(frame!, spec({ resize: 'letterbox' }))).toBeNull();
    const png = new Uint8Array(await sharp(frame).png().toBuffer());
    expect(turboDecodeAndResize(png, spec({}))).toBeNull();
    const cmyk = new Uint8Array(await sharp(frame).toColourspace('cmyk').jpeg().toBuffer());
    expect(await turboDecodeAndResize(cmyk, spec({}))).toBeNull();
    const grey = new Uint8Array(await sharp(frame).toColourspace('b-w').jpeg().toBuffer());
    expect(await turboDecodeAndResize(grey, spec({}))).toBeNull();
    expect((await turboDecodeAndResize(grey, spec({ channelOrder: 'GRAY' })))?.channels).toBe(1);
    // …and decodeAndResize still answers for each, through sharp.
    for (const input of [png, cmyk, grey]) expect((await decodeAndResize(input, spec({}))).pixels.length).toBe(224 * 224 * 3);
  });

  it('refuses a frame cut short or damaged, in words, and never scores part of one', async () => {
    const [frame] = camera;
    const cut = frame!.subarray(0, Math.floor(frame!.length / 2));
    await expect(decodeAndResize(cut, spec({}))).rejects.toThrow(FrameDecodeError);
    await expect(decodeAndResize(cut, spec({}))).rejects.toThrow(/frame is not a readable image/);
    const damaged = new Uint8Array(frame!);
    for (let i = 600; i < damaged.length - 2; i += 97) damaged[i] = 0xff;
    await expect(decodeAndResize(damaged, spec({}))).rejects.toThrow(FrameDecodeError);
    const headerOnly = frame!.subarray(0, 40);
    await expect(decodeAndResize(headerOnly, spec({}))).rejects.toThrow(FrameDecodeError);
  });

  it('a JPEG that claims 60000×60000 pixels goes to sharp, which refuses it; nothing is allocated for it', async () => {
    const bytes = new Uint8Array(camera[0]!);
    // The SOF0 marker (FF C0): length(2) precision(1) height(2) width(2).
    let sof = -1;
    for (let i = 2; i < bytes.length - 9; i++)
      if (bytes[i] === 0xff && (bytes[i + 1] === 0xc0 || bytes[i + 1] === 0xc2)) {
        sof = i;
        break;
      }
    expect(sof).toBeGreaterThan(0);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    view.setUint16(sof + 5, 60000);
    view.setUint16(sof + 7, 60000);
    const before = process.memoryUsage().rss;
    expect(await turboDecodeAndResize(bytes, spec({}))).toBeNull();
    await expect(decodeAndResize(bytes, spec({}))).rejects.toThrow(FrameDecodeError);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('the casting model decides as it does through sharp on ≥ 99.5 % of 440 real castings', async () => {
    const pkg = await loadModelPackage(CASTING_MODEL_DIR);
    if (!isImagePackage(pkg)) throw new Error('the casting model is an image model');
    const files = castingFiles(15);
    const jpegs = files.map((f) => new Uint8Array(readFileSync(f)));
    expect(turboDecodeAndResize(jpegs[0]!, pkg.manifest.preprocessing)).not.toBeNull();
    const fast = await scoreRejects(pkg, jpegs);
    // The same pictures decoded by sharp, handed over as raw pixels (which the fast path never takes).
    const raw = await Promise.all(
      jpegs.map(async (j) => {
        const { data, info } = await sharp(j).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
        return { width: info.width, height: info.height, channels: 3 as const, pixels: new Uint8Array(data) };
      }),
    );
    const reference = await scoreRejects(pkg, raw);
    const pit = pkg.manifest.thresholds!.pit;
    let same = 0;
    for (let i = 0; i < fast.length; i++) if (fast[i]! >= pit === reference[i]! >= pit) same++;
    expect(same / fast.length).toBeGreaterThanOrEqual(0.995);
  });
});
