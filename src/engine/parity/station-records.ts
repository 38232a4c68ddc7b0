/**
 * Parity records the station keeps for models that carry none (issue 16): the
 * configured model run in place from its folder, and models registered before
 * the gate existed. Without one they would go live ungated; instead, at the
 * first load on this station a record is made on the CPU (make at
 * check-files-for-import.ts) and kept under parity/<model sha256>/ in the data
 * folder — record.json and its check pictures — and every later load, provider,
 * thread or batch change is held to it. Keyed by the model file's hash: a
 * changed file is another model and gets its own record. Read back through
 * the schema; a record that no longer parses is made again, never trusted.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ParityRecordSchema, type ParityRecord } from '../../shared/parity';
import type { ImageModelPackage } from '../model-package';
import type { CheckFile } from './check-files-for-import';

export const STATION_RECORDS_DIR = 'parity';
const RECORD_FILE = 'record.json';

export interface KeptRecord {
  readonly record: ParityRecord;
  /** Where its check pictures are (record.pictures[].file is relative to it). */
  readonly dir: string;
}

const folderOf = (dataDir: string, pkg: ImageModelPackage): string => join(dataDir, STATION_RECORDS_DIR, pkg.manifest.sha256);

export async function keptRecord(dataDir: string, pkg: ImageModelPackage): Promise<KeptRecord | null> {
  const dir = folderOf(dataDir, pkg);
  let text: string;
  try {
    text = await readFile(join(dir, RECORD_FILE), 'utf8');
  } catch {
    return null;
  }
  try {
    return { record: ParityRecordSchema.parse(JSON.parse(text)), dir };
  } catch {
    return null;
  }
}

/**
 * Writes the pictures and the record into a folder of its own, then moves it in place whole: a record on disk always
 * has its pictures. Two loads of one model at once (a swap and a shadow trial) each make one; the first in place is
 * kept and the other's is dropped, so every load is held to the same record.
 */
export async function keepRecord(dataDir: string, pkg: ImageModelPackage, record: ParityRecord, files: readonly CheckFile[]): Promise<KeptRecord> {
  const dir = folderOf(dataDir, pkg);
  const staging = `${dir}.${process.pid}-${Math.random().toString(36).slice(2, 8)}.tmp`;
  for (const f of files) {
    await mkdir(dirname(join(staging, f.file)), { recursive: true });
    await writeFile(join(staging, f.file), f.bytes);
  }
  await mkdir(staging, { recursive: true });
  await writeFile(join(staging, RECORD_FILE), JSON.stringify(record, null, 2));
  try {
    await rename(staging, dir);
  } catch {
    // One is in place already (made meanwhile, or a damaged one): a sound one wins; a damaged one is replaced.
    const there = await keptRecord(dataDir, pkg);
    if (there) {
      await rm(staging, { recursive: true, force: true });
      return there;
    }
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
  }
  return { record, dir };
}
