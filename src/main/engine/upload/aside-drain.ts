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
 */
import { basename } from 'node:path';
import Database from 'better-sqlite3';
import type { UploadConfig } from '../../../shared/storage-config';
import { readDatabaseId, type SqliteDatabase } from '../storage/database';
import { Outbox } from './outbox';
import { ProgressStore, type BatchBounds, type ProgressFallback } from './progress-store';
import { RowReader, STREAMS, type Stream } from './row-reader';
import type { UploadTarget } from './targets';
import { Uploader } from './uploader';

export interface AsideStatus {
  /** The moved-aside file. */
  readonly file: string;
  /** Its database id ('' for a file of a version before ids); null when it cannot be read. */
  readonly databaseId: string | null;
  /** draining: rows left to send; drained: every target has them all; unreadable: some cannot be read; no-targets: nothing to send them to. */
  readonly state: 'draining' | 'drained' | 'unreadable' | 'no-targets';
  /** Rows some target has yet to acknowledge; null when it cannot be known (the file cannot be read). */
  readonly unsent: number | null;
  /** Rows sent from it since the station started draining it. */
  readonly sent: number;
  /** Rows some target had yet to acknowledge when this start opened it (null: unknown), so a quick drain is still reported. */
  readonly unsentAtStart: number | null;
  readonly problem: string | null;
}

/** What the moved-aside file says of its own upload; a table it lacks (an older file) says nothing was sent. */
function fileProgress(db: SqliteDatabase): ProgressFallback {
  const tryAll = <T>(read: () => T, fallback: T): T => {
    try {
      return read();
    } catch {
      return fallback;
    }
  };
  const progress = tryAll(
    () => db.prepare('SELECT target, stream, last_seq FROM upload_progress').all() as { target: string; stream: string; last_seq: number }[],
    [],
  );
  const batches = tryAll(
    () =>
      db.prepare("SELECT target, stream, first_seq, last_seq, rows FROM upload_batches WHERE source = ''").all() as {
        target: string;
        stream: string;
        first_seq: number;
        last_seq: number;
        rows: number;
      }[],
    [],
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
      const reader = new RowReader(asideDb);
      const outbox = new Outbox(reader, new ProgressStore(db, basename(file), fileProgress(asideDb)), readDatabaseId(asideDb));
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
      return { file: this.file, databaseId: null, state, unsent: null, sent: 0, unsentAtStart: null, problem: fileProblem ?? null };
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
      unsentAtStart: this.unsentAtStart,
      problem: problems.length > 0 ? problems.join('; ') : null,
    };
    if (state === 'drained') {
      this.final = status;
      void this.stop();
    }
    return status;
  }

  /** Stops its lanes and closes the file. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      if (!this.aside) return;
      await this.aside.uploader.stop();
      this.aside.db.close();
    })();
    return this.stopped;
  }
}
