/**
 * Reads a kept frame back for the History page. The path comes from the
 * log, relative to the data dir; one that would lead outside the images
 * folder (a tampered row) is refused rather than read.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { IMAGES_DIR } from './image-retention';

export class KeptImageError extends Error {
  override readonly name = 'KeptImageError';
}

/** The JPEG, or null when the file is gone (removed by hand, a disk swapped). */
export async function readKeptImage(dataDir: string, path: string): Promise<Uint8Array | null> {
  const images = resolve(dataDir, IMAGES_DIR);
  const file = resolve(dataDir, path);
  const inside = relative(images, file);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) throw new KeptImageError(`image path ${path} is outside ${join(dataDir, IMAGES_DIR)}`);
  try {
    return new Uint8Array(await readFile(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
