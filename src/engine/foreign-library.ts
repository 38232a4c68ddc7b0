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

interface Koffi {
  load(path: string): ForeignLibrary;
}

let koffi: Koffi | null = null;

/** Opens a library by file name or path; throws koffi's or the loader's words where it cannot. */
export function openForeignLibrary(name: string): ForeignLibrary {
  koffi ??= createRequire(import.meta.url)('koffi') as Koffi;
  return koffi.load(name);
}
