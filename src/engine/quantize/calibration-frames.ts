/**
 * The calibration frames npm run quantize measures ranges on (issue 18):
 * every picture under a folder (good and defective alike: the ranges must
 * hold what the line sees), in name order, evenly picked down to a number —
 * so a folder's classes keep their share, and the same folder gives the same
 * frames on any machine.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { imageFormatOf } from '../preprocess/image-format';

const PICTURE = /\.(jpe?g|png|bmp|webp|tiff?)$/i;

/** `max` of the names, evenly spaced through them in order (all of them when there are fewer). */
export function pickEvenly<T>(sorted: readonly T[], max: number): T[] {
  const step = Math.max(1, sorted.length / max);
  return Array.from({ length: Math.min(max, sorted.length) }, (_, i) => sorted[Math.floor(i * step)]!);
}

/** The picture files under `dir` (relative names, sorted), as calibrationFrames reads them. */
export async function picturesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).filter((n) => PICTURE.test(n)).sort();
}

export async function calibrationFrames(dir: string, max: number): Promise<Uint8Array[]> {
  const names = await picturesUnder(dir);
  if (names.length === 0) throw new Error(`no pictures under ${dir}`);
  const frames: Uint8Array[] = [];
  for (const name of pickEvenly(names, max)) {
    const bytes = new Uint8Array(await readFile(join(dir, name)));
    if (imageFormatOf(bytes) !== null) frames.push(bytes);
  }
  return frames;
}
