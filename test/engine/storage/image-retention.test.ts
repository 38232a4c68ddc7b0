/** Image retention: by age and by size, oldest first, never before the row is uploaded; the row stays. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageConfigSchema } from '../../../src/shared/storage-config';
import { openDatabase } from '../../../src/engine/storage/database';
import { ImageRetention } from '../../../src/engine/storage/image-retention';
import { useTempDirs } from '../../helpers/temp-dir';

describe('ImageRetention', () => {
  const tempDir = useTempDirs();

  function setup(images: number, bytes: number, daysOld: (i: number) => number) {
    const dataDir = tempDir();
    const databasePath = join(dataDir, 'linesight.sqlite');
    const db = openDatabase(databasePath);
    mkdirSync(join(dataDir, 'images', 'd'), { recursive: true });
    const insert = db.prepare(
      "INSERT INTO inspections (frame_id, captured_at, origin, model_name, model_version, decision, image_path) VALUES (?, ?, 'x', 'm', '1', 'pit', ?)",
    );
    const now = new Date('2026-11-23T12:00:00Z');
    for (let i = 1; i <= images; i++) {
      const path = join('images', 'd', `${i}.jpg`);
      writeFileSync(join(dataDir, path), Buffer.alloc(bytes, i));
      insert.run(i, new Date(now.getTime() - daysOld(i) * 86_400_000).toISOString(), path);
    }
    return { dataDir, databasePath, db, now };
  }

  it('removes images past their age, oldest first, only when their rows are uploaded, and keeps the rows', () => {
    const { dataDir, databasePath, db, now } = setup(10, 1000, (i) => 40 - i); // 1 … 10: 39 … 30 days old
    const retention = new ImageRetention(db, dataDir, databasePath, StorageConfigSchema.parse({ images: { maxAgeDays: 35 } }));
    // Rows up to 3 uploaded: only those may lose their image, though 1 … 5 are too old.
    const first = retention.sweep(3, now);
    expect(first.removed).toBe(3);
    expect([1, 2, 3, 4].map((i) => existsSync(join(dataDir, 'images', 'd', `${i}.jpg`)))).toEqual([false, false, false, true]);
    const second = retention.sweep(10, now);
    expect(second.removed).toBe(1); // 4 (36 days); 5 is exactly 35 days old, 6 … 10 younger
    expect(db.prepare('SELECT COUNT(*) AS n FROM inspections').get()).toEqual({ n: 10 });
    expect((db.prepare('SELECT COUNT(*) AS n FROM inspections WHERE image_removed_at IS NOT NULL').get() as { n: number }).n).toBe(4);
    db.close();
  });

  it('keeps the images under their size limit and raises the cap when nothing more may go', () => {
    const { dataDir, databasePath, db, now } = setup(20, 100_000, () => 1);
    const retention = new ImageRetention(db, dataDir, databasePath, StorageConfigSchema.parse({ images: { maxBytes: 1_000_000 } }));
    const swept = retention.sweep(20, now);
    expect(swept.imagesBytes).toBeLessThanOrEqual(1_000_000);
    expect(swept.removed).toBe(10);
    expect(existsSync(join(dataDir, 'images', 'd', '10.jpg'))).toBe(false);
    expect(existsSync(join(dataDir, 'images', 'd', '11.jpg'))).toBe(true);
    // The whole data dir over its cap, and nothing uploaded: nothing is removed, the cap is reported.
    const capped = new ImageRetention(db, dataDir, databasePath, StorageConfigSchema.parse({ maxBytes: 1_000_000 }));
    const over = capped.sweep(0, now);
    expect(over).toMatchObject({ removed: 0, overCap: true });
    db.close();
  });
});
