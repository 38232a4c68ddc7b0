/**
 * The fast path of decodeAndResize for JPEG frames (image-decoder.ts): TurboJPEG
 * decodes into YUV planes — at 1/2, 1/4 or 1/8 size straight from the DCT when
 * the model's input is at most that share of the part of the frame it sees —
 * and one swscale call crops, resizes with the model's kernel and turns YUV into
 * RGB (or takes the luma plane for a GRAY model). No RGB picture at full size
 * is ever made. Returns null where this path does not apply (not a JPEG,
 * letterbox, CMYK, an unusual subsampling, a huge frame, no libraries): the
 * caller then uses sharp, which handles everything.
 */
import type { DecodedImage, ResizeSpec } from './image-decoder';
import { nativeCodecs, type NativeCodecs, type NativePointer } from './native-codecs';

/** A frame the fast path read and could not decode; image-decoder.ts words it for a technician. */
export class TurboDecodeError extends Error {
  override readonly name = 'TurboDecodeError';
}

// TurboJPEG (turbojpeg.h) and libavutil / libswscale (pixfmt.h, swscale.h) constants: stable across their versions.
const TJSAMP = { S444: 0, S422: 1, S420: 2, GRAY: 3 } as const;
const TJCS = { YCbCr: 1, GRAY: 2 } as const;
const PIX = { YUV420P: 0, RGB24: 2, YUV422P: 4, YUV444P: 5, GRAY8: 8 } as const;
// No SWS_FULL_CHR_H_INT: it halves the mean difference to sharp (0.65 → 0.32 of 255) but costs ~0.09 ms a frame.
const SWS = { BILINEAR: 2, BICUBIC: 4, POINT: 0x10, LANCZOS: 0x200, CS_ITU601: 5, PARAM_DEFAULT: 123456 } as const;

/** sharp's kernels as swscale filters: cubic is Catmull-Rom (B 0, C 0.5) in both. */
const KERNELS: Record<ResizeSpec['interpolation'], { flags: number; param: number[] | null }> = {
  nearest: { flags: SWS.POINT, param: null },
  linear: { flags: SWS.BILINEAR, param: null },
  cubic: { flags: SWS.BICUBIC, param: [0, 0.5] },
  lanczos3: { flags: SWS.LANCZOS, param: [3, SWS.PARAM_DEFAULT] },
};

/** The chroma planes' shift against luma, per TurboJPEG subsampling, and the swscale format of the planes. */
const LAYOUTS: Partial<Record<number, { hs: number; vs: number; format: number }>> = {
  [TJSAMP.S444]: { hs: 0, vs: 0, format: PIX.YUV444P },
  [TJSAMP.S422]: { hs: 1, vs: 0, format: PIX.YUV422P },
  [TJSAMP.S420]: { hs: 1, vs: 1, format: PIX.YUV420P },
  [TJSAMP.GRAY]: { hs: 0, vs: 0, format: PIX.GRAY8 },
};

/** Larger frames go to sharp, whose pixel limit then speaks (no camera on a line sends 40 MP). */
const MAX_PIXELS = 40_000_000;
const MAX_CONTEXTS = 16;
/** Decoded sizes up to VGA (~0.45 ms) are decoded on the calling thread. */
const INLINE_PIXELS = 640 * 480;

/** The rectangle of the frame the model sees, in frame pixels; null where sharp would refuse the geometry. */
export function sourceRect(width: number, height: number, spec: ResizeSpec): { x: number; y: number; w: number; h: number } | null {
  const W = spec.width;
  const H = spec.height;
  switch (spec.resize) {
    case 'stretch':
      return { x: 0, y: 0, w: width, h: height };
    case 'center-crop': {
      const s = Math.max(W / width, H / height);
      const w = W / s;
      const h = H / s;
      return { x: (width - w) / 2, y: (height - h) / 2, w, h };
    }
    case 'shorter-side-crop': {
      const s = (spec.resizeShorterTo ?? Math.max(W, H)) / Math.min(width, height);
      const rw = Math.round(width * s);
      const rh = Math.round(height * s);
      if (rw < W || rh < H) return null;
      return { x: Math.floor((rw - W) / 2) / s, y: Math.floor((rh - H) / 2) / s, w: W / s, h: H / s };
    }
    case 'letterbox':
      return null;
  }
}

/** The DCT scaling denominator: the largest of 8, 4, 2 that leaves the seen part at least the model's size. */
export function dctDenominator(rect: { w: number; h: number }, spec: Pick<ResizeSpec, 'width' | 'height'>): number {
  for (const d of [8, 4, 2]) if (rect.w / d >= spec.width && rect.h / d >= spec.height) return d;
  return 1;
}

const isJpeg = (b: Uint8Array): boolean => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

class TurboDecoder {
  /** TurboJPEG handles are not for two threads at once: one per decode in flight, kept for the next. */
  private readonly idle: NativePointer[] = [];
  private readonly contexts = new Map<string, NativePointer>();
  private readonly bt601: NativePointer;

  constructor(private readonly codecs: NativeCodecs) {
    this.bt601 = codecs.sws.coefficients(SWS.CS_ITU601);
  }

  async decode(jpeg: Uint8Array, spec: ResizeSpec): Promise<DecodedImage | null> {
    const { turbo, sws } = this.codecs;
    const handle = this.idle.pop() ?? turbo.init();
    if (!handle) return null;
    try {
      const w = [0];
      const h = [0];
      const samp = [0];
      const cs = [0];
      if (turbo.header(handle, jpeg, jpeg.length, w, h, samp, cs) !== 0) return null; // sharp says why in its words
      const width = w[0]!;
      const height = h[0]!;
      const layout = LAYOUTS[samp[0]!];
      const grey = spec.channelOrder === 'GRAY';
      // A grey JPEG for a colour model, CMYK or YCCK, 4:4:0 or 4:1:1: sharp.
      if (!layout || (cs[0] !== TJCS.YCbCr && !(cs[0] === TJCS.GRAY && grey)) || width * height > MAX_PIXELS) return null;
      const rect = sourceRect(width, height, spec);
      if (!rect) return null;
      const d = dctDenominator(rect, spec);
      const sw = Math.ceil(width / d);
      const sh = Math.ceil(height / d);
      const yuv = Buffer.allocUnsafe(turbo.bufSizeYuv(sw, 1, sh, samp[0]!));
      // A small decode runs here: it costs less than the hop to libuv's thread pool (~0.06 ms a frame,
      // decode.floor). A big one goes there, so as not to hold the JS thread's timers and PLC answers.
      const status =
        sw * sh <= INLINE_PIXELS
          ? turbo.decodeToYuv(handle, jpeg, jpeg.length, yuv, sw, 1, sh, 0)
          : await new Promise<number>((resolve, reject) =>
              turbo.decodeToYuv.async(handle, jpeg, jpeg.length, yuv, sw, 1, sh, 0, (err, result) =>
                err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(result),
              ),
            );
      // A warning (a frame cut short, bad data in a scan) counts: a part-grey picture must not be scored.
      if (status !== 0) throw new TurboDecodeError(turbo.errorText(handle));

      // The seen part in decoded pixels, its corner at the nearest luma pixel. On an odd corner the chroma
      // planes start half a chroma pixel early: measured, that moves the result less than putting the
      // luma corner on the chroma grid (up to two frame pixels off at a half-size decode).
      const x0 = Math.round(rect.x / d);
      const y0 = Math.round(rect.y / d);
      const cw = Math.min(sw - x0, Math.max(1, Math.round(rect.w / d)));
      const ch = Math.min(sh - y0, Math.max(1, Math.round(rect.h / d)));
      const lumaStride = turbo.planeWidth(0, sw, samp[0]!);
      const lumaSize = lumaStride * turbo.planeHeight(0, sh, samp[0]!);
      const luma = yuv.subarray(y0 * lumaStride + x0, lumaSize);
      const channels = grey ? 1 : 3;
      const out = Buffer.allocUnsafe(spec.width * spec.height * channels);
      const outStride = spec.width * channels;
      if (grey) {
        const ctx = this.context(cw, ch, PIX.GRAY8, spec, PIX.GRAY8);
        sws.scale(ctx, [luma, null, null, null], [lumaStride, 0, 0, 0], 0, ch, [out, null, null, null], [outStride, 0, 0, 0]);
      } else {
        const chromaStride = turbo.planeWidth(1, sw, samp[0]!);
        const chromaSize = chromaStride * turbo.planeHeight(1, sh, samp[0]!);
        const chromaAt = ((y0 >> layout.vs) * chromaStride + (x0 >> layout.hs)) | 0;
        const u = yuv.subarray(lumaSize + chromaAt, lumaSize + chromaSize);
        const v = yuv.subarray(lumaSize + chromaSize + chromaAt, lumaSize + 2 * chromaSize);
        const ctx = this.context(cw, ch, layout.format, spec, PIX.RGB24);
        sws.scale(ctx, [luma, u, v, null], [lumaStride, chromaStride, chromaStride, 0], 0, ch, [out, null, null, null], [outStride, 0, 0, 0]);
      }
      return { pixels: out, width: spec.width, height: spec.height, channels };
    } finally {
      this.idle.push(handle);
    }
  }

  /** One swscale context per geometry and kernel; a few kept (a line sees one or two). */
  private context(srcW: number, srcH: number, srcFormat: number, spec: ResizeSpec, dstFormat: number): NativePointer {
    const key = `${srcW}x${srcH}:${srcFormat}>${spec.width}x${spec.height}:${dstFormat}:${spec.interpolation}`;
    const found = this.contexts.get(key);
    if (found) {
      this.contexts.delete(key);
      this.contexts.set(key, found); // most recently used last
      return found;
    }
    const { sws } = this.codecs;
    const kernel = KERNELS[spec.interpolation];
    const ctx = sws.getContext(srcW, srcH, srcFormat, spec.width, spec.height, dstFormat, kernel.flags, null, null, kernel.param);
    if (!ctx) throw new TurboDecodeError(`swscale refused ${srcW}×${srcH} to ${spec.width}×${spec.height}`);
    // JPEG's YCbCr is full range BT.601 (JFIF), not the video range swscale assumes for YUV formats.
    if (srcFormat !== PIX.GRAY8) sws.setColorspaceDetails(ctx, this.bt601, 1, this.bt601, 1, 0, 1 << 16, 1 << 16);
    this.contexts.set(key, ctx);
    if (this.contexts.size > MAX_CONTEXTS) {
      const [oldKey, oldCtx] = this.contexts.entries().next().value as [string, NativePointer];
      this.contexts.delete(oldKey);
      sws.freeContext(oldCtx);
    }
    return ctx;
  }
}

let decoder: TurboDecoder | null | undefined;

/** Decodes and resizes a JPEG the fast way; null where this path does not apply (the caller uses sharp). */
export function turboDecodeAndResize(input: Uint8Array, spec: ResizeSpec): Promise<DecodedImage | null> | null {
  if (!isJpeg(input)) return null;
  if (decoder === undefined) {
    const codecs = nativeCodecs();
    decoder = codecs ? new TurboDecoder(codecs) : null;
  }
  return decoder ? decoder.decode(input, spec) : null;
}
