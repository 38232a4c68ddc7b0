/**
 * The fast path of decodeAndResize (image-decoder.ts). A JPEG: TurboJPEG
 * decodes it into YUV planes — at 1/2, 1/4 or 1/8 size straight from the DCT
 * where sharp would, or, for a model whose preprocessing says jpegScaling
 * "dct", wherever that leaves at least the resized size — and one swscale call
 * resizes with the model's kernel and turns YUV into RGB (for a GRAY model,
 * a grey JPEG's luma); no RGB picture at full size is ever made. A raw frame
 * up to VGA (a source's, or the benchmark's decoded beforehand): the same
 * swscale call on its pixels. The geometry is sharp's, to the pixel: the whole
 * frame resized (to cover, or its shorter side to resizeShorterTo), then the
 * crop cut from the result where sharp cuts it, so that a model sees what it
 * saw through sharp. Returns null where this path does not apply (PNG,
 * letterbox, CMYK, a colour profile, an unusual subsampling, alpha, a frame it
 * would enlarge, a huge frame, no libraries): the caller then uses sharp.
 */
import type { DecodedImage, ImageInput, RawImage, ResizeSpec } from './image-types';
import { nativeCodecs, type NativeCodecs, type NativePointer } from './native-codecs';
import { PIX, SwsScaler, type SourcePlanes } from './sws-scaler';

/** A frame the fast path read and could not decode; image-decoder.ts words it for a technician. */
export class TurboDecodeError extends Error {
  override readonly name = 'TurboDecodeError';
}

// TurboJPEG's turbojpeg.h: stable across its versions.
const TJSAMP = { S444: 0, S422: 1, S420: 2, GRAY: 3 } as const;
const TJCS = { YCbCr: 1, GRAY: 2 } as const;
const TJERR_WARNING = 0;
/** Refuse a progressive JPEG of over 500 scans (a crafted one can take seconds): libjpeg-turbo 2.1's turbojpeg.h. */
const TJFLAG_LIMITSCANS = 32768;
const PLANAR: Partial<Record<number, number>> = {
  [TJSAMP.S444]: PIX.YUV444P,
  [TJSAMP.S422]: PIX.YUV422P,
  [TJSAMP.S420]: PIX.YUV420P,
  [TJSAMP.GRAY]: PIX.GRAY8,
};

/** Larger frames go to sharp, whose pixel limit then speaks (no camera on a line sends 40 MP). */
const MAX_PIXELS = 40_000_000;
/** Decoded sizes up to VGA (~0.45 ms) are decoded on the calling thread. */
const INLINE_PIXELS = 640 * 480;

/** Where a frame goes: resized whole to width × height, then the model's input cut at (left, top). */
export interface ResizeGeometry {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly top: number;
  /** sharp's "common part of the shrink": the factor by which both axes shrink at least. */
  readonly shrink: number;
}

/**
 * sharp's geometry for a frame of w × h (its pipeline.cc and common.cc): fit 'cover' resizes by the smaller
 * shrink, each side rounded, and cuts the centre at ((in − out + 1) / 2); shorter-side-crop is resize to the
 * shorter side, then image-decoder.ts' extract at the floor of half the excess. Null where sharp would refuse.
 */
export function resizeGeometry(w: number, h: number, spec: ResizeSpec): ResizeGeometry | null {
  const W = spec.width;
  const H = spec.height;
  switch (spec.resize) {
    case 'stretch':
      return { width: W, height: H, left: 0, top: 0, shrink: Math.min(w / W, h / H) };
    case 'center-crop': {
      const shrink = Math.min(w / W, h / H);
      const width = Math.max(W, Math.round(w / shrink));
      const height = Math.max(H, Math.round(h / shrink));
      return { width, height, left: Math.floor((width - W + 1) / 2), top: Math.floor((height - H + 1) / 2), shrink };
    }
    case 'shorter-side-crop': {
      const shorter = spec.resizeShorterTo ?? Math.max(W, H);
      const portrait = w <= h;
      const width = portrait ? shorter : Math.round((w * shorter) / h);
      const height = portrait ? Math.round((h * shorter) / w) : shorter;
      if (width < W || height < H) return null;
      return { width, height, left: Math.floor((width - W) / 2), top: Math.floor((height - H) / 2), shrink: Math.min(w, h) / shorter };
    }
    case 'letterbox':
      return null;
  }
}

/**
 * The DCT scaling denominator. exact: sharp's (pipeline.cc, fastShrinkOnLoad): 8, 4 or 2 where the shrink is at
 * least that, one step less where the shrink's whole part equals it (so at least 1.5× is left to the resize).
 * dct: the largest of 8, 4, 2 that leaves the decoded frame at least the resized size.
 */
export function dctDenominator(w: number, h: number, g: Pick<ResizeGeometry, 'width' | 'height' | 'shrink'>, scaling: 'exact' | 'dct' = 'exact'): number {
  if (scaling === 'dct') {
    for (const d of [8, 4, 2]) if (Math.floor(w / d) >= g.width && Math.floor(h / d) >= g.height) return d;
    return 1;
  }
  const d = g.shrink >= 8 ? 8 : g.shrink >= 4 ? 4 : g.shrink >= 2 ? 2 : 1;
  return d > 1 && Math.floor(g.shrink) === d ? d / 2 : d;
}

/**
 * After a DCT-scaled decode sharp works the resize out again from the decoded size (pipeline.cc, "any
 * pre-shrinking may already have been done"): the resized size from it, the crop of fit 'cover' too; the offsets
 * of shorter-side-crop stay those image-decoder.ts took from the frame's own size. Null where that cut would
 * leave the resized frame (sharp would refuse it).
 */
function afterShrink(sw: number, sh: number, first: ResizeGeometry, spec: ResizeSpec): ResizeGeometry | null {
  const again = resizeGeometry(sw, sh, spec);
  if (!again) return null;
  const g = spec.resize === 'shorter-side-crop' ? { ...again, left: first.left, top: first.top } : again;
  return g.left + spec.width <= g.width && g.top + spec.height <= g.height ? g : null;
}

/** A JPEG with an APP2 ICC_PROFILE segment before its first scan. */
export function hasIccProfile(jpeg: Uint8Array): boolean {
  let i = 2;
  while (i + 4 <= jpeg.length && jpeg[i] === 0xff) {
    const marker = jpeg[i + 1]!;
    if (marker === 0xda || marker === 0xd9) return false; // start of scan, end of image
    const length = (jpeg[i + 2]! << 8) | jpeg[i + 3]!;
    if (marker === 0xe2 && length >= 14 && String.fromCharCode(...jpeg.subarray(i + 4, i + 15)) === 'ICC_PROFILE') return true;
    i += 2 + length;
  }
  return false;
}

/** Read by nothing: it only keeps its arguments reachable until here. */
function keepAlive(...values: readonly unknown[]): number {
  return values.length;
}

/**
 * A frame smaller than its resized size goes to sharp: libvips enlarges through an affine transform with its own
 * interpolator and pixel centres, which swscale does not reproduce (measured: 12 levels of 255 apart), and a line's
 * camera is larger than its model's input.
 */
const enlarges = (w: number, h: number, g: ResizeGeometry): boolean => g.width > w || g.height > h;

/** The model's input cut from the resized frame: rows copied, or the buffer itself where nothing is cut. */
function cut(resized: Buffer, g: ResizeGeometry, spec: ResizeSpec, channels: number): Buffer {
  if (g.width === spec.width && g.height === spec.height) return resized;
  const out = Buffer.allocUnsafe(spec.width * spec.height * channels);
  const row = spec.width * channels;
  const stride = g.width * channels;
  for (let y = 0; y < spec.height; y++) {
    const from = (g.top + y) * stride + g.left * channels;
    resized.copy(out, y * row, from, from + row);
  }
  return out;
}

const isJpeg = (b: Uint8Array): boolean => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

class FastDecoder {
  /** TurboJPEG handles are not for two threads at once: one per decode in flight, kept for the next. */
  private readonly idle: NativePointer[] = [];
  private readonly scaler: SwsScaler;
  /** The YUV planes of the decodes made on this thread, one at a time (up to VGA: 460 KB). */
  private scratch = Buffer.alloc(0);

  constructor(private readonly codecs: NativeCodecs) {
    this.scaler = new SwsScaler(codecs);
  }

  private finish(src: SourcePlanes, g: ResizeGeometry, spec: ResizeSpec): DecodedImage {
    const grey = spec.channelOrder === 'GRAY';
    const channels = grey ? 1 : 3;
    const resized = this.scaler.scale(src, g.width, g.height, spec.interpolation, grey);
    return { pixels: cut(resized, g, spec, channels), width: spec.width, height: spec.height, channels };
  }

  /**
   * A raw frame of 3 channels for a colour model, or 1 for a GRAY model, up to VGA (it is scaled on this thread).
   * At the model's size (a raw source's frames: sources/raw-frames.ts) 0.08 ms against sharp's 0.36. Further down
   * swscale's packed-RGB lanczos3 is slower than libvips (640×480 to 299×224: 1.8 against 1.3 ms), but handing
   * those frames to sharp cost the engine more: libvips's threads took the model's core (engine.throughput for
   * mobilenet-shaped rose from ×1.01 to ×1.17–1.22 of the bare runtime in two whole benches; issue 18, CHANGELOG).
   */
  raw(image: RawImage, spec: ResizeSpec): DecodedImage | null {
    const grey = spec.channelOrder === 'GRAY';
    const channels = grey ? 1 : 3;
    if (image.channels !== channels || image.width * image.height > INLINE_PIXELS || image.pixels.length !== image.width * image.height * channels) return null;
    const g = resizeGeometry(image.width, image.height, spec);
    if (!g || enlarges(image.width, image.height, g)) return null;
    const format = image.channels === 1 ? PIX.GRAY8 : PIX.RGB24;
    return this.finish({ planes: [image.pixels], strides: [image.width * image.channels], width: image.width, height: image.height, format }, g, spec);
  }

  async jpeg(jpeg: Uint8Array, spec: ResizeSpec): Promise<DecodedImage | null> {
    const { turbo } = this.codecs;
    const handle = this.idle.pop() ?? turbo.init();
    if (!handle) return null;
    try {
      const w = [0];
      const h = [0];
      const samp = [0];
      const cs = [0];
      if (turbo.header(handle, jpeg, jpeg.length, w, h, samp, cs) !== 0) return null; // sharp says why in its words
      const [width, height, subsamp] = [w[0]!, h[0]!, samp[0]!];
      const planar = PLANAR[subsamp];
      const grey = spec.channelOrder === 'GRAY';
      // To sharp: CMYK or YCCK, 4:4:0 or 4:1:1; a grey JPEG for a colour model; a colour JPEG for a GRAY model
      // (sharp's grey is luminance from linear light, not the JPEG's luma: pure red is 127 there, 76 here); a
      // colour profile (sharp turns it into sRGB).
      const colourFits = grey ? cs[0] === TJCS.GRAY : cs[0] === TJCS.YCbCr;
      if (planar === undefined || !colourFits || width * height > MAX_PIXELS || hasIccProfile(jpeg)) return null;
      const first = resizeGeometry(width, height, spec);
      if (!first || enlarges(width, height, first)) return null;
      const d = dctDenominator(width, height, first, spec.jpegScaling);
      // libjpeg decodes ceil(w / d) × ceil(h / d); libvips keeps floor(w / d) × floor(h / d) of it, the last
      // part-block row and column left out (measured: 4.6 levels of 255 apart otherwise), and so does this.
      const sw = Math.ceil(width / d);
      const sh = Math.ceil(height / d);
      const uw = Math.floor(width / d);
      const uh = Math.floor(height / d);
      const g = d === 1 ? first : afterShrink(uw, uh, first, spec);
      if (!g) return null;
      const size = turbo.bufSizeYuv(sw, 1, sh, subsamp);
      // A small frame is decoded here: it costs less than the hop to libuv's thread pool (~0.06 ms a frame,
      // decode.floor), and reuses one buffer (nothing else runs while it is used). A bigger one goes there, so as
      // not to hold the JS thread's timers and PLC answers, into a buffer of its own: judged by the frame's own
      // size, since a reduced decode still reads every coefficient.
      const inline = width * height <= INLINE_PIXELS;
      if (inline && this.scratch.length < size) this.scratch = Buffer.allocUnsafe(size);
      const yuv = inline ? this.scratch.subarray(0, size) : Buffer.allocUnsafe(size);
      const status = inline
        ? turbo.decodeToYuv(handle, jpeg, jpeg.length, yuv, sw, 1, sh, TJFLAG_LIMITSCANS)
        : await new Promise<number>((resolve, reject) =>
            turbo.decodeToYuv.async(handle, jpeg, jpeg.length, yuv, sw, 1, sh, TJFLAG_LIMITSCANS, (err, result) =>
              err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(result),
            ),
          );
      // koffi holds no reference to its arguments while an async call runs: these must live until it answers.
      keepAlive(jpeg, yuv);
      if (status !== 0) {
        const text = turbo.errorText(handle);
        // Stray bytes before a marker (some cameras send them) leave every pixel decoded: the frame is scored.
        // Any other warning — cut short, an unknown marker in the data, bad Huffman codes — means pixels that
        // were guessed, and the frame is refused, never scored in part (sharp refuses only the cut-short ones).
        const harmless = turbo.errorCode(handle) === TJERR_WARNING && /extraneous bytes before marker/i.test(text);
        if (!harmless) throw new TurboDecodeError(text);
      }

      const lumaStride = turbo.planeWidth(0, sw, subsamp);
      const lumaSize = lumaStride * turbo.planeHeight(0, sh, subsamp);
      const luma = yuv.subarray(0, lumaSize);
      if (grey) return this.finish({ planes: [luma], strides: [lumaStride], width: uw, height: uh, format: PIX.GRAY8 }, g, spec);
      const chromaStride = turbo.planeWidth(1, sw, subsamp);
      const chromaSize = chromaStride * turbo.planeHeight(1, sh, subsamp);
      const u = yuv.subarray(lumaSize, lumaSize + chromaSize);
      const v = yuv.subarray(lumaSize + chromaSize, lumaSize + 2 * chromaSize);
      return this.finish({ planes: [luma, u, v], strides: [lumaStride, chromaStride, chromaStride], width: uw, height: uh, format: planar }, g, spec);
    } finally {
      this.idle.push(handle);
    }
  }
}

let decoder: FastDecoder | null | undefined;

/** Decodes and resizes the fast way; null where this path does not apply (the caller uses sharp). */
export function fastDecodeAndResize(input: ImageInput, spec: ResizeSpec): Promise<DecodedImage | null> | DecodedImage | null {
  const raw = !(input instanceof Uint8Array);
  if (!raw && !isJpeg(input)) return null;
  if (decoder === undefined) {
    const codecs = nativeCodecs();
    decoder = codecs ? new FastDecoder(codecs) : null;
  }
  if (!decoder) return null;
  return raw ? decoder.raw(input, spec) : decoder.jpeg(input, spec);
}
