/**
 * A labelled folder for teaching and calibrating (issue 15): one subfolder per
 * label, pictures inside (casting/train/def_front/…, ok_front/…) — or, as
 * labelling tools export it, the pictures side by side with a `labels.csv`
 * whose header names a `file` and a `label` column (the demo's data sets). The held-out
 * split is decided by each picture's name alone (a hash), so the same
 * pictures are held out on every run and on every machine, and adding
 * pictures never moves an old one across the split.
 *
 * A folder is outside data (a USB stick): it is listed without blocking the
 * line's thread, and capped — pictures, labels, the labels file's size — so
 * that neither a huge folder nor a labels file naming a million labels can
 * exhaust the station's memory. Reading the pictures is read-pictures.ts's.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, readdir, stat } from 'node:fs/promises';
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
/** A labels file larger than this is not a labels file (100,000 lines of a long name and label). */
const MAX_LABELS_CSV_BYTES = 16 * 1024 * 1024;
/** More pictures than this is more than teaching or calibrating on a station needs, and than its memory should hold. */
export const MAX_LABELLED_PICTURES = 100_000;
/** More labels than a sorter has outlets for: a labels file that names this many is not a labelled set. */
export const MAX_LABELS = 64;

/** The size of each file, a few at a time (-1 where it cannot be had: a dangling link, counted unreadable later). */
async function sizes(paths: readonly string[]): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < paths.length; i += 64) {
    out.push(
      ...(await Promise.all(
        paths.slice(i, i + 64).map((p) =>
          stat(p).then(
            (s) => s.size,
            () => -1,
          ),
        ),
      )),
    );
  }
  return out;
}

function tooMany(dir: string, n: number): LabelledFolderError {
  return new LabelledFolderError(`${dir} holds ${n} pictures or more: at most ${MAX_LABELLED_PICTURES} are taught or calibrated on at once; split it`);
}

/** The labels file, read only if it is a regular file of a labels file's size (never a link, a FIFO or a device). */
async function readLabelsCsv(file: string): Promise<string> {
  const link = await lstat(file);
  if (!link.isFile()) throw new LabelledFolderError(`${file} is not a regular file (a link, a device or a pipe): not read`);
  if (link.size > MAX_LABELS_CSV_BYTES) throw new LabelledFolderError(`${file} is larger than ${MAX_LABELS_CSV_BYTES} bytes: not a labels file`);
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  try {
    const buffer = Buffer.alloc(MAX_LABELS_CSV_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_LABELS_CSV_BYTES) throw new LabelledFolderError(`${file} is larger than ${MAX_LABELS_CSV_BYTES} bytes: not a labels file`);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

async function fromLabelsCsv(dir: string, heldOutShare: number): Promise<LabelledSet> {
  const file = join(dir, LABELS_CSV);
  let rows: Record<string, string>[];
  try {
    rows = parse(await readLabelsCsv(file), { columns: true, skip_empty_lines: true, trim: true, bom: true, relax_column_count: true }) as Record<
      string,
      string
    >[];
  } catch (err) {
    if (err instanceof LabelledFolderError) throw err;
    throw new LabelledFolderError(`${file} is not a CSV file with a header row: ${(err as Error).message}`);
  }
  if (rows.length === 0 || !('file' in rows[0]!) || !('label' in rows[0]!))
    throw new LabelledFolderError(`${file} needs a header row naming a "file" and a "label" column`);
  if (rows.length > MAX_LABELLED_PICTURES) throw tooMany(dir, rows.length);
  const labels = [...new Set(rows.map((r) => r['label']!))].filter((l) => l !== '').sort();
  if (labels.length < 2) throw new LabelledFolderError(`${file} needs at least two labels (found ${labels.length}: ${labels.join(', ') || 'none'})`);
  if (labels.length > MAX_LABELS) throw new LabelledFolderError(`${file} names ${labels.length} labels: at most ${MAX_LABELS}`);
  const index = new Map(labels.map((l, i) => [l, i]));
  const seen = new Set<string>();
  const entries = rows.map((row, i) => {
    const name = row['file'] ?? '';
    const path = resolve(dir, name);
    if (!PICTURE.test(name) || !isWithin(dir, path)) throw new LabelledFolderError(`${file} line ${i + 2}: "${name}" is not a picture in ${dir}`);
    // One picture counted twice would count twice in every bound.
    if (seen.has(path)) throw new LabelledFolderError(`${file} line ${i + 2}: "${name}" is listed twice`);
    seen.add(path);
    const label = index.get(row['label']!);
    if (label === undefined) throw new LabelledFolderError(`${file} line ${i + 2}: no label for "${name}"`);
    return { key: `${labels[label]}/${name}`, path, label };
  });
  const bytes = await sizes(entries.map((e) => e.path));
  const hash = createHash('sha256');
  const counts = labels.map((label) => ({ label, total: 0, heldOut: 0 }));
  const pictures = entries.map((e, i) => {
    const held = heldOutByName(e.key, heldOutShare);
    counts[e.label]!.total++;
    if (held) counts[e.label]!.heldOut++;
    hash.update(`${e.key}\0${bytes[i]}\n`);
    return { name: e.key, path: e.path, label: e.label, heldOut: held };
  });
  pictures.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { dir, labels, pictures, counts, fingerprint: hash.digest('hex') };
}

export async function readLabelledFolder(dir: string, heldOutShare = 0.2): Promise<LabelledSet> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new LabelledFolderError(`cannot read the labelled folder ${dir}: ${(err as Error).message}`);
  }
  const labels = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  if (labels.length === 0 && entries.some((e) => e.name === LABELS_CSV)) return fromLabelsCsv(dir, heldOutShare);
  if (labels.length < 2)
    throw new LabelledFolderError(`${dir} needs one folder per label, at least two (found ${labels.length}: ${labels.join(', ') || 'none'})`);
  if (labels.length > MAX_LABELS) throw new LabelledFolderError(`${dir} holds ${labels.length} label folders: at most ${MAX_LABELS}`);
  const pictures: LabelledPicture[] = [];
  const hash = createHash('sha256');
  const counts: { label: string; total: number; heldOut: number }[] = [];
  for (const [index, label] of labels.entries()) {
    const files = (await readdir(join(dir, label))).filter((f) => PICTURE.test(f)).sort();
    if (files.length === 0) throw new LabelledFolderError(`the label folder ${join(dir, label)} holds no pictures`);
    if (pictures.length + files.length > MAX_LABELLED_PICTURES) throw tooMany(dir, pictures.length + files.length);
    const paths = files.map((f) => join(dir, label, f));
    const bytes = await sizes(paths);
    let heldOut = 0;
    files.forEach((f, i) => {
      const name = `${label}/${f}`;
      const held = heldOutByName(name, heldOutShare);
      if (held) heldOut++;
      // A dangling link lists (size -1) and fails when read, counted with the others that cannot be read.
      hash.update(`${name}\0${bytes[i]}\n`);
      pictures.push({ name, path: paths[i]!, label: index, heldOut: held });
    });
    counts.push({ label, total: files.length, heldOut });
  }
  return { dir, labels, pictures, counts, fingerprint: hash.digest('hex') };
}
