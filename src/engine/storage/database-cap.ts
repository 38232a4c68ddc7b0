/**
 * storage.maxDatabaseBytes: a cap on the log file itself, applied as SQLite's
 * max_page_count on every connection that writes (the pragma is per
 * connection, not kept in the file: checked on this machine). Reaching it
 * fails writes with SQLITE_FULL, so the station handles it exactly as a full
 * disk; raising it (or setting null) lets what waited be written.
 */
import type { SqliteDatabase } from './database';

/** SQLite's own ceiling, used when no cap is set. */
const NO_CAP_PAGES = 4_294_967_294;

export function applyDatabaseCap(db: SqliteDatabase, maxBytes: number | null | undefined): void {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = maxBytes == null ? NO_CAP_PAGES : Math.max(1, Math.floor(maxBytes / pageSize));
  // SQLite will not set it below the file's current page count: a cap under the current size means "full now".
  db.pragma(`max_page_count = ${pages}`);
}

/** The file cannot grow because it reached its cap (rather than because the disk is full). */
export function reachedCap(db: SqliteDatabase): boolean {
  try {
    const max = db.pragma('max_page_count', { simple: true }) as number;
    if (max >= NO_CAP_PAGES) return false;
    return (db.pragma('page_count', { simple: true }) as number) >= max;
  } catch {
    return false;
  }
}
