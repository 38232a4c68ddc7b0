/**
 * libjpeg-turbo's TurboJPEG API and FFmpeg's libswscale, called through koffi
 * (a C FFI with prebuilt binaries) where the machine has the two libraries:
 * Debian's libturbojpeg0 and libswscale6/7/8 (the station package recommends
 * them, packaging/station/control). Why: sharp (libvips) spends ~2 ms on a
 * 640×480 camera frame here, most of it building and tearing down libvips'
 * pipeline, while TurboJPEG decodes the same frame at half size straight from
 * the DCT in ~0.28 ms and swscale resizes and turns YUV into RGB in ~0.2 ms
 * (issue 18; `decode.floor` in `npm run bench`). Without them the decoder is
 * sharp, as before (image-decoder.ts), and Diagnostics says which one runs.
 */
import { openForeignLibrary, type ForeignLibrary } from '../foreign-library';

/** koffi's function object, typed at the one place it is called. */
interface ForeignFunction<A extends unknown[], R> {
  (...args: A): R;
  async: (...args: [...A, (err: unknown, result: R) => void]) => void;
}

/** The opaque C pointers TurboJPEG and swscale hand out (handles, contexts, tables). */
export type NativePointer = object;
type Pointer = NativePointer | null;
type Planes = (Uint8Array | null)[];

export interface TurboJpegApi {
  init(): Pointer;
  destroy(handle: NativePointer): number;
  /** width, height, subsampling, colourspace through the one-element arrays. */
  header(handle: NativePointer, jpeg: Uint8Array, size: number, width: number[], height: number[], subsamp: number[], colorspace: number[]): number;
  /** Decodes into YUV planes, scaled to the nearest factor not over width × height; pad 1: planes packed. */
  decodeToYuv: ForeignFunction<[NativePointer, Uint8Array, number, Uint8Array, number, number, number, number], number>;
  bufSizeYuv(width: number, pad: number, height: number, subsamp: number): number;
  planeWidth(component: number, width: number, subsamp: number): number;
  planeHeight(component: number, height: number, subsamp: number): number;
  errorText(handle: NativePointer): string;
  /** TJERR_WARNING (0) or TJERR_FATAL (1), for the last call on the handle. */
  errorCode(handle: NativePointer): number;
}

/** TurboJPEG's compressor: the pictures a raw source's frames are kept and shown as (turbo-encoder.ts). */
export interface TurboJpegEncodeApi {
  init(): Pointer;
  /** pixelFormat TJPF_*; with TJFLAG_NOREALLOC it writes into the buffer `jpeg[0]` points at, `size[0]` long, and sets the size. */
  compress(
    handle: NativePointer,
    pixels: Uint8Array,
    width: number,
    pitch: number,
    height: number,
    pixelFormat: number,
    jpeg: [NativePointer],
    size: [number],
    subsamp: number,
    quality: number,
    flags: number,
  ): number;
  /** The most a JPEG of this size can take. */
  bufSize(width: number, height: number, subsamp: number): number;
  errorText(handle: NativePointer): string;
}

export interface SwscaleApi {
  getContext(
    srcW: number,
    srcH: number,
    srcFormat: number,
    dstW: number,
    dstH: number,
    dstFormat: number,
    flags: number,
    srcFilter: null,
    dstFilter: null,
    param: number[] | null,
  ): Pointer;
  freeContext(ctx: NativePointer): void;
  scale(ctx: NativePointer, src: Planes, srcStride: number[], srcSliceY: number, srcSliceH: number, dst: Planes, dstStride: number[]): number;
  coefficients(colorspace: number): NativePointer;
  setColorspaceDetails(
    ctx: NativePointer,
    invTable: NativePointer,
    srcRange: number,
    table: NativePointer,
    dstRange: number,
    brightness: number,
    contrast: number,
    saturation: number,
  ): number;
}

export interface NativeCodecs {
  readonly turbo: TurboJpegApi;
  readonly encoder: TurboJpegEncodeApi;
  readonly sws: SwscaleApi;
  /** The library files found, for Diagnostics. */
  readonly libraries: readonly string[];
}

/** Which decoder this process uses, and why not the fast one when it is sharp. */
export interface DecoderInfo {
  readonly decoder: 'libjpeg-turbo + swscale' | 'sharp';
  readonly libraries?: readonly string[];
  readonly reason?: string;
}

const CANDIDATES: Record<'turbojpeg' | 'swscale', Partial<Record<NodeJS.Platform, readonly string[]>>> = {
  turbojpeg: {
    linux: ['libturbojpeg.so.0'],
    win32: ['turbojpeg.dll'],
    darwin: ['libturbojpeg.0.dylib', '/opt/homebrew/lib/libturbojpeg.0.dylib', '/usr/local/lib/libturbojpeg.0.dylib'],
  },
  swscale: {
    linux: ['libswscale.so.8', 'libswscale.so.7', 'libswscale.so.6'],
    win32: ['swscale-8.dll', 'swscale-7.dll', 'swscale-6.dll'],
    darwin: ['libswscale.8.dylib', 'libswscale.7.dylib', 'libswscale.6.dylib', '/opt/homebrew/lib/libswscale.dylib'],
  },
};

function loadFirst(names: readonly string[] | undefined, what: string): { lib: ForeignLibrary; name: string } {
  const tried: string[] = [];
  for (const name of names ?? []) {
    try {
      return { lib: openForeignLibrary(name), name };
    } catch (err) {
      tried.push(`${name}: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
    }
  }
  throw new Error(`${what} not found (${tried.join('; ') || `none known on ${process.platform}`})`);
}

let loaded: { codecs: NativeCodecs | null; info: DecoderInfo } | null = null;

function load(): { codecs: NativeCodecs | null; info: DecoderInfo } {
  if (process.env.LINESIGHT_DECODER === 'sharp') return { codecs: null, info: { decoder: 'sharp', reason: 'LINESIGHT_DECODER=sharp' } };
  try {
    // A platform without koffi's binary or the libraries still runs, on sharp.
    const tj = loadFirst(CANDIDATES.turbojpeg[process.platform], 'libjpeg-turbo (TurboJPEG API; Debian: libturbojpeg0)');
    const sw = loadFirst(CANDIDATES.swscale[process.platform], 'FFmpeg libswscale (Debian: libswscale6)');
    const t = tj.lib;
    const s = sw.lib;
    const turbo = {
      init: t.func('void* tjInitDecompress()'),
      destroy: t.func('int tjDestroy(void*)'),
      header: t.func('int tjDecompressHeader3(void*, const uint8_t*, unsigned long, _Out_ int*, _Out_ int*, _Out_ int*, _Out_ int*)'),
      decodeToYuv: t.func('int tjDecompressToYUV2(void*, const uint8_t*, unsigned long, uint8_t*, int, int, int, int)'),
      bufSizeYuv: t.func('unsigned long tjBufSizeYUV2(int, int, int, int)'),
      planeWidth: t.func('int tjPlaneWidth(int, int, int)'),
      planeHeight: t.func('int tjPlaneHeight(int, int, int)'),
      errorText: t.func('const char* tjGetErrorStr2(void*)'),
      errorCode: t.func('int tjGetErrorCode(void*)'),
    } as TurboJpegApi;
    const encoder = {
      init: t.func('void* tjInitCompress()'),
      compress: t.func('int tjCompress2(void*, const uint8_t*, int, int, int, int, _Inout_ void**, _Inout_ unsigned long*, int, int, int)'),
      bufSize: t.func('unsigned long tjBufSize(int, int, int)'),
      errorText: t.func('const char* tjGetErrorStr2(void*)'),
    } as TurboJpegEncodeApi;
    const sws = {
      getContext: s.func('void* sws_getContext(int, int, int, int, int, int, int, void*, void*, const double*)'),
      freeContext: s.func('void sws_freeContext(void*)'),
      scale: s.func('int sws_scale(void*, const uint8_t**, const int*, int, int, uint8_t**, const int*)'),
      coefficients: s.func('const int* sws_getCoefficients(int)'),
      setColorspaceDetails: s.func('int sws_setColorspaceDetails(void*, const int*, int, const int*, int, int, int, int)'),
    } as SwscaleApi;
    const libraries = [tj.name, sw.name];
    return { codecs: { turbo, encoder, sws, libraries }, info: { decoder: 'libjpeg-turbo + swscale', libraries } };
  } catch (err) {
    return { codecs: null, info: { decoder: 'sharp', reason: err instanceof Error ? err.message : String(err) } };
  }
}

/** The native codecs, loaded once per process (or thread); null where the machine lacks them. */
export function nativeCodecs(): NativeCodecs | null {
  loaded ??= load();
  return loaded.codecs;
}

export function decoderInfo(): DecoderInfo {
  loaded ??= load();
  return loaded.info;
}

/** The status line's words: the fast decoder's libraries, or why the line decodes with sharp. */
export function decoderStatus(): { name: string; detail: string } {
  const info = decoderInfo();
  return info.decoder === 'sharp'
    ? { name: 'sharp', detail: `slower; the fast one is not available: ${info.reason ?? 'unknown'}` }
    : { name: info.decoder, detail: (info.libraries ?? []).join(', ') };
}
