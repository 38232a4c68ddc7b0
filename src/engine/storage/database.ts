/**
 * Opens the station's SQLite file: WAL, full sync, migrations applied.
 * better-sqlite3 is synchronous, so the high-rate writes (inspections) run in
 * the log worker on a connection of their own; this one serves the rare
 * writes (events, audit, registry) and the reads.
 */
import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { LATEST_VERSION, MIGRATIONS, type Migration } from './migrations';

export type SqliteDatabase = Database.Database;

export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
}

export function openDatabase(path: string, migrations: readonly Migration[] = MIGRATIONS): SqliteDatabase {
  mkdirSync(dirname(path), { recursive: true });
  let db: SqliteDatabase;
  try {
    db = new Database(path);
  } catch (err) {
    throw new DatabaseError(`cannot open database ${path}: ${(err as Error).message}`);
  }
  try {
    db.pragma('journal_mode = WAL');
    // FULL: a committed inspection survives a power cut; commits are batched, so it costs little.
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 2000');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations);
  } catch (err) {
    db.close();
    throw new DatabaseError(`cannot prepare database ${path}: ${(err as Error).message}`);
  }
  return db;
}

/** A second connection to a database that is already migrated (the log worker's). */
export function connectDatabase(path: string): SqliteDatabase {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  return db;
}

export interface MovedAside {
  /** Where the file went (its -wal and -shm beside it). */
  readonly path: string;
  /** What the check found. */
  readonly problem: string;
}

export interface CheckedDatabase {
  readonly db: SqliteDatabase;
  /** Set when the file failed its check and was moved aside. Its rows not yet uploaded are drained from there (upload/aside-drain.ts). */
  readonly movedAside?: MovedAside;
}

/**
 * Opens the station database after `PRAGMA quick_check`. A file that fails
 * it (or cannot be read as a database at all) is moved aside, with its WAL,
 * under a name that says when and why, and a new database is started: the
 * line runs on, nothing is overwritten, and the message says where the old
 * file is.
 */
export function openCheckedDatabase(path: string, migrations: readonly Migration[] = MIGRATIONS): CheckedDatabase {
  if (existsSync(path)) {
    let problem: string | null = null;
    try {
      const probe = new Database(path, { fileMustExist: true });
      try {
        const result = probe.pragma('quick_check', { simple: true });
        // quick_check reports one line per problem: one line for the message that names the file.
        if (result !== 'ok') problem = String(result).replace(/\s+/g, ' ').trim();
      } finally {
        probe.close();
      }
    } catch (err) {
      problem = (err as Error).message;
    }
    if (problem !== null) {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const aside = join(dirname(path), `${basename(path, '.sqlite')}${ASIDE_INFIX}${stamp}.sqlite`);
      renameSync(path, aside);
      for (const suffix of ['-wal', '-shm']) if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
      return { db: openDatabase(path, migrations), movedAside: { path: aside, problem } };
    }
  }
  return { db: openDatabase(path, migrations) };
}

/** How a moved-aside file is named: <name>.corrupt-<time>.sqlite beside the database. */
export const ASIDE_INFIX = '.corrupt-';

/** The moved-aside files beside a database, oldest first (their names hold the time they were moved). */
export function findMovedAside(path: string): string[] {
  const prefix = `${basename(path, '.sqlite')}${ASIDE_INFIX}`;
  const dir = dirname(path);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.startsWith(prefix) && name.endsWith('.sqlite'))
    .sort()
    .map((name) => join(dir, name));
}

/**
 * This database's id (migration 7): '' for the database that already held rows when migration 7 ran (its rows were
 * uploaded as (station, seq), and the plant's upgraded tables hold them under '').
 */
export function readDatabaseId(db: SqliteDatabase): string {
  return readStoredDatabaseId(db) ?? '';
}

/** SQLite's "no such table" for `table`: the file is from before the migration that made it. Any other failure is not that. */
export function isNoSuchTable(err: unknown, table: string): boolean {
  return err instanceof Error && new RegExp(`^no such table: (main\\.)?${table}$`).test(err.message);
}

/**
 * The id a file holds, or null when it holds none: a file from before migration 7 (no database_identity table), such as one
 * moved aside by an earlier version. Such a file must not be uploaded under '' (upload/aside-drain.ts asideDatabaseId):
 * the database migration 7 found holding rows has that id already. Any other failure to read it (a damaged page, an I/O
 * error) throws: an id guessed for a file that has one uploads its rows again under another (issue 11, final review).
 */
export function readStoredDatabaseId(db: SqliteDatabase): string | null {
  let row: { id: unknown } | undefined;
  try {
    row = db.prepare('SELECT id FROM database_identity WHERE only = 1').get() as { id: unknown } | undefined;
  } catch (err) {
    if (isNoSuchTable(err, 'database_identity')) return null;
    throw new DatabaseError(`its database id cannot be read (${(err as Error).message})`);
  }
  if (row === undefined) return null;
  if (typeof row.id !== 'string') throw new DatabaseError('its database id cannot be read (not text)');
  return row.id;
}

export function schemaVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: SqliteDatabase, migrations: readonly Migration[] = MIGRATIONS): void {
  const current = schemaVersion(db);
  const newest = migrations[migrations.length - 1]?.version ?? 0;
  if (current > newest) {
    throw new DatabaseError(`database schema version ${current} is newer than this LineSight knows (${newest}); refusing to touch it`);
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}

export { LATEST_VERSION };
