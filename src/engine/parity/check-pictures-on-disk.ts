/**
 * A package's check pictures on disk (issue 16): chosen from labelled,
 * scored pictures (choose-check-pictures.ts), copied into its `check/`
 * folder under plain names, and recorded on the CPU through the line's path
 * (run-parity.ts) — the parity record its manifest carries.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Thresholds } from '../../shared/manifest';
import { MAX_CHECK_PICTURES, type ParityRecord } from '../../shared/parity';
import type { InferenceRuntime } from '../inference/session-settings';
import { readPictures, MAX_PICTURE_BYTES } from '../labelled/read-pictures';
import { loadImagePackage } from '../model-package';
import type { WorkerEntry } from '../rpc/worker-entry';
import { chooseCheckPictures, type ScoredPicture } from './choose-check-pictures';
import { recordOnCpu } from './run-parity';

export const CHECK_FOLDER = 'check';

/** A check picture's name: numbered, plain characters only, short enough for the record's rule (shared/parity.ts). */
export function checkName(index: number, name: string): string {
  const plain = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[.]+/, '');
  const ext = /\.[A-Za-z0-9]{1,5}$/.exec(plain)?.[0] ?? '';
  return `${String(index + 1).padStart(2, '0')}-${plain.slice(0, 100 - ext.length)}${plain.length > 100 - ext.length ? ext : ''}`;
}
const CHECK_PICTURES_CHOSEN = 12;

export async function recordCheckPictures(req: {
  readonly outDir: string;
  readonly pictures: readonly ScoredPicture[];
  readonly thresholds: Thresholds;
  readonly runtime: InferenceRuntime;
  readonly entry: WorkerEntry;
  readonly roots?: readonly string[];
}): Promise<ParityRecord> {
  const chosen = chooseCheckPictures(req.pictures, req.thresholds, Math.min(CHECK_PICTURES_CHOSEN, MAX_CHECK_PICTURES));
  if (chosen.length === 0) throw new Error('no picture could be chosen as a check picture');
  const dir = join(req.outDir, CHECK_FOLDER);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // Read under the same limits as teaching (inside the import folders on the station), then copied.
  const read = await readPictures(
    chosen.map((p) => p.path),
    { ...(req.roots ? { roots: req.roots } : {}), maxBytes: MAX_PICTURE_BYTES },
  );
  const files: { file: string; label: string; image: Uint8Array }[] = [];
  for (const [i, p] of chosen.entries()) {
    const image = read[i]!;
    if (image instanceof Error) continue;
    const name = checkName(i, `${p.label}${extname(p.path).toLowerCase()}`);
    // The bytes read and checked, not the path again: the stick may have changed under it.
    await writeFile(join(dir, name), image);
    files.push({ file: `${CHECK_FOLDER}/${name}`, label: p.label, image });
  }
  const pkg = await loadImagePackage(req.outDir);
  return recordOnCpu(
    pkg,
    files.map((f) => ({ file: f.file, image: f.image, label: f.label })),
    req.thresholds,
    { runtime: req.runtime, entry: req.entry },
  );
}
