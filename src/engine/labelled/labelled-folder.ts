/**
 * A labelled folder for teaching and calibrating (issue 15): one subfolder per
 * label, pictures inside (casting/train/def_front/…, ok_front/…) — or, as
 * labelling tools export it, the pictures side by side with a `labels.csv`
 * whose header names a `file` and a `label` column (the demo's data sets). The held-out
 * split is decided by each picture's name alone (a hash), so the same
 * pictures are held out on every run and on every machine, and adding
 * pictures never moves an old one across the split.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { isWithin } from '../path-within';

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

export const LABELS_CSV = 'labels.csv';
/** A labels file larger than this is not a labels file (a million pictures' lines). */
const MAX_LABELS_CSV_BYTES = 64 * 1024 * 1024;

function fromLabelsCsv(dir: string, heldOutShare: number): LabelledSet {
  const file = join(dir, LABELS_CSV);
  if (statSync(file).size > MAX_LABELS_CSV_BYTES) throw new LabelledFolderError(`${file} is larger than ${MAX_LABELS_CSV_BYTES} bytes: not a labels file`);
  let rows: Record<string, string>[];
  try {
    rows = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (err) {
    throw new LabelledFolderError(`${file} is not a CSV file with a header row: ${(err as Error).message}`);
  }
  if (rows.length === 0 || !('file' in rows[0]!) || !('label' in rows[0]!))
    throw new LabelledFolderError(`${file} needs a header row naming a "file" and a "label" column`);
  const labels = [...new Set(rows.map((r) => r['label']!))].filter((l) => l !== '').sort();
  if (labels.length < 2) throw new LabelledFolderError(`${file} needs at least two labels (found ${labels.length}: ${labels.join(', ') || 'none'})`);
  const hash = createHash('sha256');
  const pictures: LabelledPicture[] = [];
  const totals = new Map(labels.map((l) => [l, { total: 0, heldOut: 0 }]));
  rows.forEach((row, i) => {
    const name = row['file'] ?? '';
    const path = resolve(dir, name);
    if (!PICTURE.test(name) || !isWithin(dir, path)) throw new LabelledFolderError(`${file} line ${i + 2}: "${name}" is not a picture in ${dir}`);
    const label = labels.indexOf(row['label']!);
    if (label < 0) throw new LabelledFolderError(`${file} line ${i + 2}: no label for "${name}"`);
    const key = `${row['label']}/${name}`;
    const held = heldOutByName(key, heldOutShare);
    const counted = totals.get(row['label']!)!;
    counted.total++;
    if (held) counted.heldOut++;
    hash.update(`${key}\0${statSync(path, { throwIfNoEntry: false })?.size ?? -1}\n`);
    pictures.push({ name: key, path, label, heldOut: held });
  });
  pictures.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { dir, labels, pictures, counts: labels.map((label) => ({ label, ...totals.get(label)! })), fingerprint: hash.digest('hex') };
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
  if (labels.length === 0 && existsSync(join(dir, LABELS_CSV))) return fromLabelsCsv(dir, heldOutShare);
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
