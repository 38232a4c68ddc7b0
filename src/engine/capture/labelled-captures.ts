/**
 * Labelled captures as a labelled folder (issue 16): captures/labelled/good
 * and captures/labelled/defective hold each labelled capture's picture (a
 * hard link to its file, a copy where links cannot be made), kept in step
 * with the newest label. Teach, Calibrate and the parity gate read it as
 * they read a labelled folder on a stick (labelled/labelled-folder.ts); an
 * export copies it out with a captures.csv of scores and who labelled what.
 */
import { copyFile, link, mkdir, rm, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ITEM_LABELS, type ItemLabel } from '../../shared/capture';
import type { StoredCapture } from '../storage/capture-store';
import { CAPTURES_DIR } from './capturer';

export const LABELLED_DIR = join(CAPTURES_DIR, 'labelled');

const fileName = (c: Pick<StoredCapture, 'id' | 'imagePath'>): string => `capture-${c.id}${extname(c.imagePath)}`;

/** Puts the capture's picture under its label, and out of the other. */
export async function placeLabelled(dataDir: string, capture: Pick<StoredCapture, 'id' | 'imagePath'>, label: ItemLabel): Promise<void> {
  const name = fileName(capture);
  for (const other of ITEM_LABELS) if (other !== label) await rm(join(dataDir, LABELLED_DIR, other, name), { force: true });
  const dir = join(dataDir, LABELLED_DIR, label);
  await mkdir(dir, { recursive: true });
  const to = join(dir, name);
  await rm(to, { force: true });
  await link(join(dataDir, capture.imagePath), to).catch(() => copyFile(join(dataDir, capture.imagePath), to));
}

export interface LabelledExport {
  readonly folder: string;
  readonly good: number;
  readonly defective: number;
}

const csvCell = (v: string | number | null): string => {
  const s = v === null ? '' : String(v);
  // A cell a spreadsheet would run as a formula is quoted with a leading apostrophe (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** Copies every labelled capture into `folder`/<label>/ with a captures.csv; `onProgress` after each picture. */
export async function exportLabelled(
  dataDir: string,
  captures: readonly StoredCapture[],
  folder: string,
  onProgress?: (done: number, total: number) => void,
): Promise<LabelledExport> {
  for (const l of ITEM_LABELS) await mkdir(join(folder, l), { recursive: true });
  const lines = ['file,label,labelled_by,labelled_at,reason,model,decision,reject_score,captured_at'];
  const counts = { good: 0, defective: 0 };
  for (const [i, c] of captures.entries()) {
    if (c.label === null) continue;
    const name = fileName(c);
    await copyFile(join(dataDir, c.imagePath), join(folder, c.label, name));
    counts[c.label]++;
    lines.push(
      [`${c.label}/${name}`, c.label, c.labelledBy, c.labelledAt, c.reason, `${c.model.name} ${c.model.version}`, c.decision, c.rejectScore, c.at]
        .map(csvCell)
        .join(','),
    );
    onProgress?.(i + 1, captures.length);
  }
  // Not labels.csv: that name would make the folder read by its list (labelled-folder.ts) rather than by its subfolders.
  await writeFile(join(folder, 'captures.csv'), lines.join('\n') + '\n');
  return { folder, ...counts };
}
