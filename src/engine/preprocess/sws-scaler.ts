/**
 * One swscale call that crops, resizes with the model's kernel and converts
 * to the model's pixels (RGB or grey), with its contexts kept per geometry.
 * Used by the fast JPEG path on decoded YUV planes (turbo-decoder.ts) and on
 * raw frames a source or the benchmark hands over already decoded, which
 * sharp resized at ~1.6–2.2 ms a 640×480 frame (issue 18).
 */
import type { ResizeSpec } from './image-types';
import type { NativeCodecs, NativePointer } from './native-codecs';

// libavutil's pixfmt.h and libswscale's swscale.h: stable across their versions.
export const PIX = { YUV420P: 0, RGB24: 2, YUV422P: 4, YUV444P: 5, GRAY8: 8 } as const;
// No SWS_FULL_CHR_H_INT: it halves the mean difference to sharp on JPEG frames (0.65 → 0.32 of 255) but costs
// ~0.09 ms a frame.
const SWS = { BILINEAR: 2, BICUBIC: 4, POINT: 0x10, LANCZOS: 0x200, CS_ITU601: 5, PARAM_DEFAULT: 123456 } as const;

/** sharp's kernels as swscale filters: cubic is Catmull-Rom (B 0, C 0.5) in both. */
const KERNELS: Record<ResizeSpec['interpolation'], { flags: number; param: number[] | null }> = {
  nearest: { flags: SWS.POINT, param: null },
  linear: { flags: SWS.BILINEAR, param: null },
  cubic: { flags: SWS.BICUBIC, param: [0, 0.5] },
  lanczos3: { flags: SWS.LANCZOS, param: [3, SWS.PARAM_DEFAULT] },
};

const MAX_CONTEXTS = 16;

/** A whole decoded frame: its planes (Y, U, V; or packed RGB; or grey) and their strides. */
export interface SourcePlanes {
  readonly planes: readonly Uint8Array[];
  readonly strides: readonly number[];
  readonly width: number;
  readonly height: number;
  /** PIX: YUV planes (JPEG's, full range), packed RGB or grey. */
  readonly format: number;
}

export class SwsScaler {
  private readonly contexts = new Map<string, NativePointer>();
  private readonly bt601: NativePointer;

  constructor(private readonly codecs: NativeCodecs) {
    this.bt601 = codecs.sws.coefficients(SWS.CS_ITU601);
  }

  /** Scales the whole frame to width × height with the kernel, into a new buffer of 1 or 3 bytes a pixel. */
  scale(src: SourcePlanes, width: number, height: number, kernel: ResizeSpec['interpolation'], grey: boolean): Buffer {
    const channels = grey ? 1 : 3;
    const out = Buffer.allocUnsafe(width * height * channels);
    const ctx = this.context(src, width, height, kernel, grey ? PIX.GRAY8 : PIX.RGB24);
    const planes: (Uint8Array | null)[] = [...src.planes, null, null, null, null].slice(0, 4);
    const strides = [...src.strides, 0, 0, 0, 0].slice(0, 4);
    const done = this.codecs.sws.scale(ctx, planes, strides, 0, src.height, [out, null, null, null], [width * channels, 0, 0, 0]);
    if (done !== height) throw new Error(`swscale wrote ${done} of ${height} rows`);
    return out;
  }

  private context(src: SourcePlanes, width: number, height: number, interpolation: ResizeSpec['interpolation'], dstFormat: number): NativePointer {
    const key = `${src.width}x${src.height}:${src.format}>${width}x${height}:${dstFormat}:${interpolation}`;
    const found = this.contexts.get(key);
    if (found) {
      this.contexts.delete(key);
      this.contexts.set(key, found); // most recently used last
      return found;
    }
    const { sws } = this.codecs;
    const kernel = KERNELS[interpolation];
    const ctx = sws.getContext(src.width, src.height, src.format, width, height, dstFormat, kernel.flags, null, null, kernel.param);
    if (!ctx) throw new Error(`swscale refused ${src.width}×${src.height} to ${width}×${height}`);
    // Everything here is full range: JPEG's YCbCr is BT.601 over 0–255 (JFIF), and so is a grey output made
    // from RGB, where swscale would assume the video range (16–235) for its YUV formats and grey.
    if (!(src.format === PIX.GRAY8 && dstFormat === PIX.GRAY8)) sws.setColorspaceDetails(ctx, this.bt601, 1, this.bt601, 1, 0, 1 << 16, 1 << 16);
    this.contexts.set(key, ctx);
    if (this.contexts.size > MAX_CONTEXTS) {
      const [oldKey, oldCtx] = this.contexts.entries().next().value as [string, NativePointer];
      this.contexts.delete(oldKey);
      sws.freeContext(oldCtx);
    }
    return ctx;
  }
}
