/**
 * A labelled folder for teaching and calibrating (issue 15): one subfolder per
 * label, pictures inside (casting/train/def_front/…, ok_front/…). The held-out
 * split is decided by each picture's name alone (a hash), so the same
 * pictures are held out on every run and on every machine, and adding
 * pictures never moves an old one across the split.
 */
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const PICTURE = /\.(jpe?g|png|webp|bmp|tiff?)$/i;

export interface LabelledPicture {
  /** label/file, as the folder names it. */
  readonly name: string;
  readonly path: string;
  /** Index into `labels`. */
  readonly label: number;
  readonly heldOut: boolean;
}

export interface LabelledSet {
  readonly dir: string;
  /** Sorted by name: the class order of the taught model. */
  readonly labels: readonly string[];
  readonly pictures: readonly LabelledPicture[];
  /** Pictures per label, and held out per label. */
  readonly counts: readonly { readonly label: string; readonly total: number; readonly heldOut: number }[];
  /** One sha256 over every picture's name and size: the provenance's "which data". */
  readonly fingerprint: string;
}

export class LabelledFolderError extends Error {
  override readonly name = 'LabelledFolderError';
}

/** Whether a picture is held out: its name's hash, below `share`. */
export function heldOutByName(name: string, share: number): boolean {
  const h = createHash('sha256').update(name).digest();
  return h.readUInt32BE(0) / 2 ** 32 < share;
}

export function readLabelledFolder(dir: string, heldOutShare = 0.2): LabelledSet {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw new LabelledFolderError(`cannot read the labelled folder ${dir}: ${(err as Error).message}`);
  }
  const labels = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  if (labels.length < 2)
    throw new LabelledFolderError(`${dir} needs one folder per label, at least two (found ${labels.length}: ${labels.join(', ') || 'none'})`);
  const pictures: LabelledPicture[] = [];
  const hash = createHash('sha256');
  const counts = labels.map((label, index) => {
    const files = readdirSync(join(dir, label))
      .filter((f) => PICTURE.test(f))
      .sort();
    if (files.length === 0) throw new LabelledFolderError(`the label folder ${join(dir, label)} holds no pictures`);
    let heldOut = 0;
    for (const f of files) {
      const name = `${label}/${f}`;
      const path = join(dir, label, f);
      const held = heldOutByName(name, heldOutShare);
      if (held) heldOut++;
      hash.update(`${name}\0${statSync(path).size}\n`);
      pictures.push({ name, path, label: index, heldOut: held });
    }
    return { label, total: files.length, heldOut };
  });
  return { dir, labels, pictures, counts, fingerprint: hash.digest('hex') };
}
