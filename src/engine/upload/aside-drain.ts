/**
 * Uploads what a moved-aside database had not sent. When the station's log
 * fails its check at start it is moved aside (storage/database.ts
 * openCheckedDatabase) and a new one started; the rows the old file had not
 * yet uploaded would otherwise stay stranded there (issue 11, item 9). Each
 * such file is opened read-only, if it can be read, and drained to every
 * target from where its own progress says it stopped, under its own database
 * id, with fixed batches kept in the current database (progress-store.ts).
 * A file, or a stream, that cannot be read is reported: status and an event
 * name the file and how many rows it still holds unsent, when that is known.
 *
 * A file from before database ids (moved aside by an earlier version, so it
 * has no database_identity table) is uploaded under an id of its own made
 * from its name, never '': migration 7 gave '' to the database it found
 * holding rows, and two files under (station, '', seq) collide — PostgreSQL
 * drops one's rows as conflicts and an HTTP collector sees the same
 * Idempotency-Key (issue 11, item 9, review).
 *
 * Nothing about such a file is guessed (issue 11, final review): a moved-aside
 * file failed its integrity check, so a table it should have (by its schema
 * version) that is missing or cannot be read makes it `unreadable`, reported
 * with the reason, rather than uploaded under an invented id or from a
 * progress of 0 — either would send rows the plant holds already. Only a file
 * from before a table (its user_version older than the migration that made
 * it) falls back: no id (one from its name), nothing sent.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import Database from 'better-sqlite3';
import type { MovedAsideStatus } from '../../shared/status';
import type { UploadConfig } from '../../shared/storage-config';
import { isNoSuchTable, readStoredDatabaseId, schemaVersion, type SqliteDatabase } from '../storage/database';
import { Outbox } from './outbox';
import { ProgressStore, type BatchBounds, type ProgressFallback } from './progress-store';
import { RowReader, STREAMS, type Stream } from './row-reader';
import type { UploadTarget } from './targets';
import { Uploader } from './uploader';

/** A moved-aside file as status shows it (the contract's shape, src/shared/status.ts), and what it held unsent when opened. */
export interface AsideStatus extends MovedAsideStatus {
  /** Rows some target had yet to acknowledge when this start opened it (null: unknown), so a quick drain is still reported. */
  readonly unsentAtStart: number | null;
}

/** The migrations that made the tables read here (storage/migrations/): a file at or past one has its table. */
const UPLOAD_PROGRESS_SINCE = 4;
const DATABASE_ID_SINCE = 7;
const UPLOAD_BATCHES_SINCE = 7;

/** A moved-aside file whose id or upload progress cannot be read: it is reported unreadable, never uploaded on a guess. */
export class AsideUnreadableError extends Error {
  override readonly name = 'AsideUnreadableError';
}

/**
 * The id a moved-aside file's rows are uploaded under: the one it holds (migration 7), or for a file from before ids one
 * made from its name — stable across starts (the name holds when and why it was moved aside), and never ''. A file of
 * schema version 7 or later has an id: one that cannot be read, or is missing, throws AsideUnreadableError.
 */
export function asideDatabaseId(db: SqliteDatabase, file: string, version = schemaVersion(db)): string {
  let id: string | null;
  try {
    id = readStoredDatabaseId(db);
  } catch (err) {
    throw new AsideUnreadableError((err as Error).message);
  }
  if (id !== null) return id;
  if (version >= DATABASE_ID_SINCE) {
    throw new AsideUnreadableError(`its database id is missing, though its schema version (${version}) has one (migration ${DATABASE_ID_SINCE})`);
  }
  return `aside:${createHash('sha256').update(basename(file)).digest('hex').slice(0, 16)}`;
}

/** A table's rows; [] only when the file is older than the table (it never had it), else a failure throws AsideUnreadableError. */
function tableRows<T>(db: SqliteDatabase, version: number, table: string, since: number, what: string, sql: string): T[] {
  try {
    return db.prepare(sql).all() as T[];
  } catch (err) {
    if (version < since && isNoSuchTable(err, table)) return [];
    throw new AsideUnreadableError(`its ${what} cannot be read (${table}: ${(err as Error).message})`);
  }
}

/** What the moved-aside file says of its own upload; a table it never had (an older file) says nothing was sent. */
function fileProgress(db: SqliteDatabase, version: number): ProgressFallback {
  const progress = tableRows<{ target: string; stream: string; last_seq: number }>(
    db,
    version,
    'upload_progress',
    UPLOAD_PROGRESS_SINCE,
    'upload progress',
    'SELECT target, stream, last_seq FROM upload_progress',
  );
  const batches = tableRows<{ target: string; stream: string; first_seq: number; last_seq: number; rows: number }>(
    db,
    version,
    'upload_batches',
    UPLOAD_BATCHES_SINCE,
    'upload batches',
    "SELECT target, stream, first_seq, last_seq, rows FROM upload_batches WHERE source = ''",
  );
  return {
    lastSeq: (target, stream) => progress.find((p) => p.target === target && p.stream === stream)?.last_seq ?? 0,
    openBatch: (target, stream): BatchBounds | null => {
      const b = batches.find((x) => x.target === target && x.stream === stream);
      return b ? { firstSeq: b.first_seq, lastSeq: b.last_seq, rows: b.rows } : null;
    },
  };
}

export class AsideDrain {
  private readonly unreadable = new Map<Stream | 'file', string>();
  /** Once drained, the last status stands: the file is closed. */
  private final: AsideStatus | null = null;
  private stopped: Promise<void> | null = null;
  private unsentAtStart: number | null = null;

  private constructor(
    readonly file: string,
    private readonly targets: readonly UploadTarget[],
    private readonly aside: { readonly db: SqliteDatabase; readonly outbox: Outbox; readonly uploader: Uploader } | null,
    problem: string | null,
  ) {
    if (problem !== null) this.unreadable.set('file', problem);
  }

  /** Opens the file read-only and starts draining it; a file that cannot be opened is reported, not thrown. */
  static start(file: string, db: SqliteDatabase, targets: readonly UploadTarget[], config: UploadConfig, batchSizeOf: (t: UploadTarget) => number): AsideDrain {
    // With nothing to send to, the file is left alone: status lists it.
    if (targets.length === 0) return new AsideDrain(file, targets, null, null);
    let asideDb: SqliteDatabase | null = null;
    try {
      asideDb = new Database(file, { readonly: true, fileMustExist: true });
      const version = schemaVersion(asideDb);
      // Both read before anything is sent: a file whose id or progress cannot be read is unreadable, not guessed at.
      const databaseId = asideDatabaseId(asideDb, file, version);
      const progress = fileProgress(asideDb, version);
      const reader = new RowReader(asideDb);
      const outbox = new Outbox(reader, new ProgressStore(db, basename(file), progress), databaseId);
      // The uploader is made before the drain that owns it: its callback reaches the drain through this box.
      const box: { drain: AsideDrain | null } = { drain: null };
      const uploader = new Uploader(outbox, targets, config, batchSizeOf, { onUnreadable: (stream, err) => box.drain?.unreadable.set(stream, err.message) });
      const drain = new AsideDrain(file, targets, { db: asideDb, outbox, uploader }, null);
      box.drain = drain;
      drain.unsentAtStart = drain.status().unsent;
      uploader.start();
      return drain;
    } catch (err) {
      asideDb?.close();
      return new AsideDrain(file, targets, null, `cannot be read: ${(err as Error).message}`);
    }
  }

  status(): AsideStatus {
    if (this.final) return this.final;
    const fileProblem = this.unreadable.get('file');
    if (!this.aside) {
      const state = fileProblem === undefined ? 'no-targets' : 'unreadable';
      return { file: this.file, databaseId: null, state, unsent: null, sent: 0, alreadyPresent: 0, unsentAtStart: null, problem: fileProblem ?? null };
    }
    const { outbox } = this.aside;
    let unsent: number | null = 0;
    let sent = 0;
    try {
      for (const stream of STREAMS) {
        unsent += Math.max(0, ...this.targets.map((t) => outbox.pending(t.id, stream)));
        sent += Math.max(0, ...this.targets.map((t) => outbox.progress(t.id, stream).sent));
      }
    } catch (err) {
      this.unreadable.set('file', `cannot be read: ${(err as Error).message}`);
      unsent = null;
    }
    const problems = [...this.unreadable.entries()].map(([what, message]) => (what === 'file' ? message : `${what}: ${message}`));
    const state = problems.length > 0 ? 'unreadable' : unsent === 0 ? 'drained' : 'draining';
    const status: AsideStatus = {
      file: this.file,
      databaseId: outbox.databaseId,
      state,
      unsent,
      sent,
      alreadyPresent: this.aside.uploader.alreadyPresent,
      unsentAtStart: this.unsentAtStart,
      problem: problems.length > 0 ? problems.join('; ') : null,
    };
    if (state === 'drained') {
      this.final = status;
      // stop() closes the file, which may throw: a rejection left unhandled would end the log worker (Node 20).
      this.stop().catch(() => undefined);
    }
    return status;
  }

  /** Stops its lanes and closes the file. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      if (!this.aside) return;
      await this.aside.uploader.stop();
      try {
        this.aside.db.close();
      } catch {
        // a read-only file that cannot be closed cleanly holds nothing to lose
      }
    })();
    return this.stopped;
  }
}
