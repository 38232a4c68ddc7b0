/**
 * C libraries opened through koffi (a C FFI with prebuilt binaries in its npm package): the one place that loads
 * koffi, and only when asked, so that a platform without its binary still starts (preprocess/native-codecs.ts,
 * native-memory.ts say what then runs instead).
 */
import { createRequire } from 'node:module';

/** A loaded library: `func('int name(int, int)')` gives a callable, typed by the caller at its one use. */
export interface ForeignLibrary {
  func(definition: string): unknown;
}

/** Memory outside JS's heap that does not move: a C function may write into it after the call that named it. */
export interface NativeBuffer {
  readonly pointer: object;
  readonly bytes: number;
  /** A copy of its first `n` bytes, as JS memory. */
  read(n: number): Uint8Array;
}

interface Koffi {
  load(path: string): ForeignLibrary;
  alloc(type: string, length: number): object;
  decode(pointer: object, type: string, length: number): Uint8Array;
}

let koffi: Koffi | null = null;
const loadKoffi = (): Koffi => (koffi ??= createRequire(import.meta.url)('koffi') as Koffi);

/** Opens a library by file name or path; throws koffi's or the loader's words where it cannot. */
export function openForeignLibrary(name: string): ForeignLibrary {
  return loadKoffi().load(name);
}

/** `bytes` of native memory, freed by the garbage collector with the object (koffi.alloc). */
export function nativeBuffer(bytes: number): NativeBuffer {
  const k = loadKoffi();
  const pointer = k.alloc('uint8_t', bytes);
  return {
    pointer,
    bytes,
    read: (n) => {
      if (!Number.isInteger(n) || n < 0 || n > bytes) throw new RangeError(`${n} bytes asked of a native buffer of ${bytes}`);
      return k.decode(pointer, 'uint8_t', n);
    },
  };
}
