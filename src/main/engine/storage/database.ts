/**
 * Opens the station's SQLite file: WAL, full sync, migrations applied.
 * better-sqlite3 is synchronous, so callers batch their writes (inspection-log.ts).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
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
