/**
 * One station per data folder. Two stations on one folder both started and
 * wrote the same SQLite file, each with its own idea of what was uploaded
 * (issue 11). The first holds an operating-system lock on `station.lock` for
 * as long as it runs: a small SQLite file in an exclusive transaction that is
 * never committed (fcntl on Linux and macOS, LockFileEx on Windows, through
 * SQLite's own locking). A second station's attempt fails at once, and is
 * refused with a message naming the first, read from `station.owner.json`,
 * which the holder writes beside the lock. The operating system drops the
 * lock when its process ends, however it ends, so a station restarted after
 * a crash starts at once, and no pid is ever guessed at (a pid file would
 * take a reused pid for the old station, or two stations racing over a stale
 * file could both win).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export const LOCK_FILE = 'station.lock';
export const OWNER_FILE = 'station.owner.json';

export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  readonly command: string;
}

/** Data folders this process holds: SQLite's locks do not keep two connections of one process apart. */
const heldHere = new Set<string>();

function describeOwner(dataDir: string): string {
  try {
    const owner = JSON.parse(readFileSync(join(dataDir, OWNER_FILE), 'utf8')) as Partial<LockOwner>;
    if (typeof owner.pid !== 'number') return 'a process that did not say which';
    return `process ${owner.pid} on ${owner.host ?? 'this PC'} (${owner.command || 'no command line'}), started ${owner.startedAt ?? 'at an unknown time'}`;
  } catch {
    return 'a process that did not say which';
  }
}

const isBusy = (err: unknown): boolean => /^SQLITE_BUSY|^SQLITE_LOCKED/.test((err as { code?: string }).code ?? '');

/** Opens the lock file and takes its exclusive lock, kept until the connection closes or the process ends. */
function lockFile(path: string): Database.Database {
  const db = new Database(path, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export class DataDirLock {
  private released = false;

  private constructor(
    private readonly dataDir: string,
    private readonly db: Database.Database,
    private readonly owner: LockOwner,
  ) {}

  /** Takes the data folder for this process, or throws DataDirInUseError naming the station that has it. */
  static acquire(dataDir: string, command = process.argv.slice(1).join(' ')): DataDirLock {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, LOCK_FILE);
    const refuse = (who: string): DataDirInUseError =>
      new DataDirInUseError(`another LineSight station is using the data folder ${dataDir}: ${who}. Stop it, or give this one its own --data-dir`);
    if (heldHere.has(path)) throw refuse('this same process');
    let db: Database.Database;
    try {
      db = lockFile(path);
    } catch (err) {
      if (isBusy(err)) throw refuse(describeOwner(dataDir));
      // Not removed and made again: two stations doing that at once could each lock a file of its own.
      throw new DataDirInUseError(
        `${path} is not a LineSight lock file (${(err as Error).message}): if no station is running on ${dataDir}, remove it and start again`,
      );
    }
    const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command };
    try {
      writeFileSync(join(dataDir, OWNER_FILE), JSON.stringify(owner));
    } catch {
      // A full disk: the lock holds all the same; a second station is refused without the name.
    }
    heldHere.add(path);
    return new DataDirLock(dataDir, db, owner);
  }

  /** Gives the folder back (at stop). The operating system also drops it when this process ends. */
  release(): void {
    if (this.released) return;
    this.released = true;
    heldHere.delete(join(this.dataDir, LOCK_FILE));
    try {
      const written = JSON.parse(readFileSync(join(this.dataDir, OWNER_FILE), 'utf8')) as Partial<LockOwner>;
      if (written.pid === this.owner.pid && written.startedAt === this.owner.startedAt) rmSync(join(this.dataDir, OWNER_FILE), { force: true });
    } catch {
      // already gone
    }
    try {
      this.db.exec('ROLLBACK');
    } catch {
      // nothing was begun
    }
    this.db.close();
  }
}
