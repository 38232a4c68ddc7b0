/**
 * The station's labelled captures as check pictures for the parity gate
 * (issue 16): real items of both kinds, the newest few of each label, read as
 * any picture from outside is (regular files only, capped, inside the
 * labelled folder).
 */
import { readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { ITEM_LABELS } from '../../shared/capture';
import { MAX_CHECK_PICTURES } from '../../shared/parity';
import { MAX_PICTURE_BYTES, readPictures } from '../labelled/read-pictures';
import type { GivenCheckPicture } from '../parity/check-files-for-import';
import { LABELLED_DIR } from './labelled-captures';

/** Up to half the gate's pictures from each label; none when nothing is labelled (the gate then uses others). */
export async function labelledCheckPictures(dataDir: string): Promise<GivenCheckPicture[]> {
  const root = join(dataDir, LABELLED_DIR);
  const realRoot = await realpath(root).catch(() => null);
  if (realRoot === null) return [];
  const out: GivenCheckPicture[] = [];
  for (const label of ITEM_LABELS) {
    const dir = join(root, label);
    // capture-<id>.<ext>: the newest captures have the largest ids.
    const names = (await readdir(dir).catch(() => [] as string[]))
      .filter((n) => /^capture-\d+\.(jpg|png|webp)$/.test(n))
      .sort((a, b) => Number(b.match(/\d+/)![0]) - Number(a.match(/\d+/)![0]))
      .slice(0, MAX_CHECK_PICTURES / 2);
    const read = await readPictures(
      names.map((n) => join(dir, n)),
      { roots: [realRoot], maxBytes: MAX_PICTURE_BYTES },
    );
    names.forEach((name, i) => {
      const bytes = read[i]!;
      if (!(bytes instanceof Error)) out.push({ name, bytes, label });
    });
  }
  return out;
}
