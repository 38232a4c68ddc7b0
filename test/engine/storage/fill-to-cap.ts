/**
 * Makes a log file full for every write, not only for one that needs a page of its own: under max_page_count a
 * write that fits in the free pages, or in the room left on its table's last page, still lands. This caps a
 * connection of the test's own at the file's size and inserts rows of halving sizes until none fits (issue 11,
 * review: the attack tests used 9,600-character reasons that the API caps at 500).
 */
import Database from 'better-sqlite3';
import { applyDatabaseCap } from '../../../src/engine/storage/database-cap';
import type { SqliteDatabase } from '../../../src/engine/storage/database';

/** Inserts rows made by `insert(bytes)` from 64 KiB down to 1 byte, each size until SQLite says the file is full. */
export function fillToCap(db: SqliteDatabase, insert: (bytes: number) => void): void {
  applyDatabaseCap(db, 1);
  for (let size = 64 * 1024; size >= 1; size = Math.floor(size / 2)) {
    for (;;) {
      try {
        insert(size);
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_FULL') break;
        throw err;
      }
    }
  }
}

/** The same, through a connection of its own to a station's log: fills the free pages and the audit trail's last page. */
export function fillAuditToCap(path: string): void {
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 5000');
    const insert = db.prepare("INSERT INTO audit (at, actor, subject, reason) VALUES (?, 'test: filling the file', 'filler', ?)");
    fillToCap(db, (bytes) => insert.run(new Date().toISOString(), 'f'.repeat(bytes)));
  } finally {
    db.close();
  }
}
