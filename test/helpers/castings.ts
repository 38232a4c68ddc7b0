/**
 * Small labelled folders of the real castings (../shared/data/images/casting/train), for tests that teach and
 * calibrate, in a temporary folder (never in the repository).
 */
import { copyFileSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_DATA } from './paths';

export const CASTINGS = join(SHARED_DATA, 'images', 'casting', 'train');
export const CASTING_MODEL_DIR = join(import.meta.dirname, '..', 'fixtures', 'models', 'casting-defect');

/**
 * `dir` holding, per label, every `step`-th picture of the castings, `perLabel` of them: links, or copies where the
 * station reads them (it follows no link out of its import folders).
 */
export function castingSubset(dir: string, perLabel: number, step = 7, how: 'link' | 'copy' = 'link'): string {
  for (const label of ['def_front', 'ok_front']) {
    mkdirSync(join(dir, label), { recursive: true });
    const files = readdirSync(join(CASTINGS, label)).sort();
    for (let i = 0, k = 0; k < perLabel && i < files.length; i += step, k++) {
      const [from, to] = [join(CASTINGS, label, files[i]!), join(dir, label, files[i]!)];
      if (how === 'copy') copyFileSync(from, to);
      else symlinkSync(from, to);
    }
  }
  return dir;
}
