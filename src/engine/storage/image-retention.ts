/**
 * Keeps the images beside the log within their limits: older than
 * maxAgeDays, beyond images.maxBytes, or the whole data dir past maxBytes —
 * oldest first, and never an image whose row has not yet reached every
 * upload target. The row stays (it is the decision); only its image goes,
 * and the row says when.
 */
import { existsSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { StorageConfig } from '../../shared/storage-config';
import type { SqliteDatabase } from './database';

export const IMAGES_DIR = 'images';

export interface SweepResult {
  readonly removed: number;
  readonly imagesBytes: number;
  readonly databaseBytes: number;
  /** The data dir is past maxBytes and nothing more may be removed (rows not uploaded yet). */
  readonly overCap: boolean;
}

function folderBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(path) : statSync(path).size;
  }
  return total;
}

const fileBytes = (path: string): number => (existsSync(path) ? statSync(path).size : 0);

export class ImageRetention {
  private imagesBytes: number;
  private readonly oldest;
  private readonly olderThan;
  private readonly markRemoved;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly dataDir: string,
    private readonly databasePath: string,
    private readonly config: StorageConfig,
  ) {
    this.imagesBytes = folderBytes(join(dataDir, IMAGES_DIR));
    this.oldest = db.prepare(
      'SELECT seq, image_path FROM inspections WHERE image_path IS NOT NULL AND image_removed_at IS NULL AND seq <= ? ORDER BY seq LIMIT ?',
    );
    this.olderThan = db.prepare(
      'SELECT seq, image_path FROM inspections WHERE image_path IS NOT NULL AND image_removed_at IS NULL AND seq <= ? AND captured_at < ? ORDER BY seq LIMIT ?',
    );
    this.markRemoved = db.prepare('UPDATE inspections SET image_removed_at = ? WHERE seq = ?');
  }

  /** Images written since the last sweep (their rows were committed). */
  added(bytes: number): void {
    this.imagesBytes += bytes;
  }

  /** An image counted by added() whose write failed after all: its row no longer names it. */
  forget(bytes: number): void {
    this.imagesBytes = Math.max(0, this.imagesBytes - bytes);
  }

  get databaseBytes(): number {
    return fileBytes(this.databasePath) + fileBytes(`${this.databasePath}-wal`);
  }

  sweep(uploadedThrough: number, now: Date): SweepResult {
    let removed = 0;
    const cutoff = new Date(now.getTime() - this.config.images.maxAgeDays * 86_400_000).toISOString();
    for (
      let rows = this.olderThan.all(uploadedThrough, cutoff, 500) as { seq: number; image_path: string }[];
      rows.length > 0;
      rows = this.olderThan.all(uploadedThrough, cutoff, 500) as { seq: number; image_path: string }[]
    ) {
      removed += this.remove(rows, now);
    }
    const overTotal = (): boolean => this.imagesBytes + this.databaseBytes > this.config.maxBytes;
    const overImages = (): boolean => this.imagesBytes > this.config.images.maxBytes;
    while (overImages() || overTotal()) {
      const candidates = this.oldest.all(uploadedThrough, 100) as { seq: number; image_path: string }[];
      if (candidates.length === 0) break;
      // Only as many as it takes, oldest first.
      let bytes = this.imagesBytes;
      const take: { seq: number; image_path: string }[] = [];
      for (const row of candidates) {
        if (bytes <= this.config.images.maxBytes && bytes + this.databaseBytes <= this.config.maxBytes) break;
        take.push(row);
        bytes -= fileBytes(join(this.dataDir, row.image_path));
      }
      removed += this.remove(take, now);
    }
    return { removed, imagesBytes: this.imagesBytes, databaseBytes: this.databaseBytes, overCap: overTotal() };
  }

  private remove(rows: readonly { seq: number; image_path: string }[], now: Date): number {
    const at = now.toISOString();
    this.db.transaction(() => {
      for (const row of rows) {
        const path = join(this.dataDir, row.image_path);
        const bytes = fileBytes(path);
        try {
          unlinkSync(path);
        } catch {
          // already gone: the row is marked all the same
        }
        this.imagesBytes = Math.max(0, this.imagesBytes - bytes);
        this.markRemoved.run(at, row.seq);
      }
    })();
    return rows.length;
  }
}
