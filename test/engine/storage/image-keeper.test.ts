/**
 * Kept images (issue 11, review): writes in flight are bounded in count and bytes, so a slow or hung disk
 * cannot hold every frame's bytes (19 MB each from some cameras) in pending writes; past the bound the image is
 * not kept, and counted. A write that fails is counted and told, and the row written for it names no image,
 * whether the failure comes before its commit or after.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { StorageConfigSchema, UploadConfigSchema } from '../../../src/shared/storage-config';
import { sourceWorkerEntries } from '../../../src/engine/rpc/worker-entry';
import { openCheckedDatabase } from '../../../src/engine/storage/database';
import { ImageKeeper, type ImageFiles, type KeptImage } from '../../../src/engine/storage/image-keeper';
import type { InspectionRow } from '../../../src/engine/storage/inspection-log';
import { readKeptImage } from '../../../src/engine/storage/kept-images';
import { LogClient } from '../../../src/engine/log/log-client';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from '../../helpers/wait';

const images = StorageConfigSchema.parse({}).images;

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 10));

/** A disk whose writes finish only when the test says (a hung disk until then), or fail; each waits for the writes begun so far. */
function hungDisk(): ImageFiles & { release(): Promise<void>; fail(code: string): Promise<void> } {
  const waiting: { resolve: () => void; reject: (e: Error) => void }[] = [];
  return {
    mkdir: () => Promise.resolve(),
    writeFile: () => new Promise<void>((resolve, reject) => waiting.push({ resolve, reject })),
    async release() {
      await settle();
      for (const w of waiting.splice(0)) w.resolve();
      await settle();
    },
    async fail(code: string) {
      await settle();
      for (const w of waiting.splice(0)) w.reject(Object.assign(new Error(`${code}: no room`), { code }));
      await settle();
    },
  };
}

describe('ImageKeeper', () => {
  const tempDir = useTempDirs();

  it('bounds the writes in flight by count: past 16 a wanted image is not kept, counted, and reported once', async () => {
    const disk = hungDisk();
    const reports: string[] = [];
    const keeper = new ImageKeeper(tempDir(), 'line-3', images, (m) => reports.push(m), { files: disk });
    const jpeg = new Uint8Array(1000).fill(0xff);
    const kept = Array.from({ length: 20 }, (_, i) => keeper.keep(i, 1_763_000_000_000 + i, 'pit', true, jpeg));
    expect(kept.filter((k) => k !== null)).toHaveLength(16);
    expect(kept.slice(16)).toEqual([null, null, null, null]);
    expect(keeper.status()).toEqual({ inFlight: 16, inFlightBytes: 16_000, notKeptBusy: 4, notKeptFailed: 0 });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/images not kept: 16 image write\(s\) of .* still in flight \(the disk is slow or hung\)/);
    await disk.release();
    expect(keeper.status()).toMatchObject({ inFlight: 0, inFlightBytes: 0 });
    expect(keeper.keep(99, 1_763_000_000_099, 'pit', true, jpeg)).not.toBeNull();
  });

  it('bounds them by bytes: 19 MB frames, at most 64 MiB in flight', async () => {
    const disk = hungDisk();
    const keeper = new ImageKeeper(tempDir(), 'line-3', images, () => undefined, { files: disk });
    const frame = new Uint8Array(19_000_000);
    const kept = Array.from({ length: 5 }, (_, i) => keeper.keep(i, 1_763_000_000_000 + i, 'pit', true, frame));
    expect(kept.map((k) => k !== null)).toEqual([true, true, true, false, false]);
    expect(keeper.status()).toEqual({ inFlight: 3, inFlightBytes: 57_000_000, notKeptBusy: 2, notKeptFailed: 0 });
    await disk.release();
    expect(keeper.keep(9, 1_763_000_000_009, 'pit', true, frame)).not.toBeNull();
  });

  it('counts a failed write and tells which image and row it was', async () => {
    const disk = hungDisk();
    const notKept: (KeptImage & { capturedAt: string })[] = [];
    const keeper = new ImageKeeper(tempDir(), 'line-3', images, () => undefined, { files: disk, onNotKept: (i) => notKept.push(i) });
    const kept = keeper.keep(7, 1_763_000_000_007, 'pit', false, new Uint8Array(10));
    await disk.fail('ENOSPC');
    expect(keeper.status()).toMatchObject({ inFlight: 0, notKeptFailed: 1 });
    expect(notKept).toEqual([{ path: kept!.path, bytes: 10, capturedAt: new Date(1_763_000_000_007).toISOString() }]);
  });

  it('a row whose image was not written names no image, whether the failure is told before its commit or after', async () => {
    const dataDir = tempDir();
    const databasePath = join(dataDir, 'linesight.sqlite');
    openCheckedDatabase(databasePath).db.close();
    const log = await LogClient.start({
      entry: sourceWorkerEntries().log,
      databasePath,
      dataDir,
      stationId: 'line-3',
      storage: StorageConfigSchema.parse({ flushIntervalMs: 20 }),
      upload: UploadConfigSchema.parse({}),
    });
    const disk = hungDisk();
    const keeper = new ImageKeeper(dataDir, 'line-3', images, () => undefined, { files: disk, onNotKept: (i) => log.imageNotKept(i) });
    const decided = (frameId: number): InspectionRow => {
      const capturedAt = 1_763_000_000_000 + frameId;
      const image = keeper.keep(frameId, capturedAt, 'pit', true, new Uint8Array(100))!;
      return {
        frameId,
        capturedAt: new Date(capturedAt).toISOString(),
        origin: 'test',
        modelName: 'm',
        modelVersion: '1',
        rejectScore: 0.9,
        scores: null,
        decision: 'pit',
        failSafeReason: null,
        decodeMs: null,
        preprocessMs: null,
        inferenceMs: null,
        decisionMs: null,
        totalMs: null,
        imagePath: image.path,
        imageBytes: image.bytes,
      };
    };
    try {
      // Told before the row is committed: the row is written without the path.
      const first = decided(1);
      await disk.fail('ENOSPC');
      log.append(first);
      // Told after: the row already in the file forgets it.
      log.append(decided(2));
      await log.flush();
      await disk.fail('EIO');
      await waitFor('the second row without its image', () => {
        const db = new Database(databasePath, { readonly: true });
        try {
          return (db.prepare('SELECT image_path FROM inspections WHERE frame_id = 2').get() as { image_path: string | null }).image_path === null;
        } finally {
          db.close();
        }
      });
      log.append(decided(3)); // written: keeps its path
      await log.flush();
      await disk.release();
    } finally {
      await log.close();
    }
    const db = new Database(databasePath, { readonly: true });
    const rows = db.prepare('SELECT frame_id, image_path FROM inspections ORDER BY frame_id').all() as { frame_id: number; image_path: string | null }[];
    db.close();
    expect(rows.map((r) => [r.frame_id, r.image_path === null])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
    expect(keeper.status()).toMatchObject({ notKeptFailed: 2 });
    // A kept path whose file is missing reads as no image, not an error.
    expect(existsSync(join(dataDir, rows[2]!.image_path!))).toBe(false); // the fake disk wrote nothing
    expect(await readKeptImage(dataDir, rows[2]!.image_path!)).toBeNull();
  });
});
