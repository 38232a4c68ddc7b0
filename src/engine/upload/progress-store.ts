/**
 * What each upload target acknowledged, per stream, and the batch formed for
 * it and not yet acknowledged (migration 7's upload_batches): once formed, a
 * batch keeps its bounds in the database, so after a timeout, a lost answer
 * or a restart it is sent again with the same rows and the same key, and a
 * target that stored it already stores it once (issue 11, item 9: a retry
 * that re-read a larger batch under a new key doubled 621 rows).
 *
 * The rows of this database keep their progress in upload_progress; those of
 * a moved-aside file (source = its name) in aside_progress, starting from
 * what the file itself says it sent (the fallback) until the first
 * acknowledgement here. Progress is written only after the target
 * acknowledged.
 */
import type { SqliteDatabase } from '../storage/database';
import type { Stream } from './row-reader';

export interface Progress {
  readonly target: string;
  readonly stream: Stream;
  readonly lastSeq: number;
  readonly sent: number;
  readonly lastSuccessAt: string | null;
  readonly lastError: string | null;
  readonly lastErrorAt: string | null;
}

export interface BatchBounds {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly rows: number;
}

/** What a moved-aside file says of its own upload (its upload_progress and upload_batches), read-only. */
export interface ProgressFallback {
  lastSeq(target: string, stream: Stream): number;
  openBatch(target: string, stream: Stream): BatchBounds | null;
}

interface ProgressRow {
  last_seq: number;
  sent: number;
  last_success_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
}

export class ProgressStore {
  private readonly getProgress;
  private readonly upsertAck;
  private readonly upsertError;
  private readonly getBatch;
  private readonly insertBatch;
  private readonly deleteBatch;

  constructor(
    private readonly db: SqliteDatabase,
    /** '' for this database's rows, else the moved-aside file's name. */
    private readonly source: string,
    private readonly fallback?: ProgressFallback,
  ) {
    const [table, key, keyValues] = source === '' ? ['upload_progress', 'target, stream', '?, ?'] : ['aside_progress', 'source, target, stream', '?, ?, ?'];
    const where = source === '' ? 'target = ? AND stream = ?' : 'source = ? AND target = ? AND stream = ?';
    this.getProgress = db.prepare(`SELECT * FROM ${table} WHERE ${where}`);
    this.upsertAck = db.prepare(
      `INSERT INTO ${table} (${key}, last_seq, sent, last_success_at) VALUES (${keyValues}, ?, ?, ?)
       ON CONFLICT (${key}) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq), sent = sent + excluded.sent, last_success_at = excluded.last_success_at`,
    );
    this.upsertError = db.prepare(
      `INSERT INTO ${table} (${key}, last_error, last_error_at) VALUES (${keyValues}, ?, ?)
       ON CONFLICT (${key}) DO UPDATE SET last_error = excluded.last_error, last_error_at = excluded.last_error_at`,
    );
    this.getBatch = db.prepare('SELECT first_seq, last_seq, rows FROM upload_batches WHERE source = ? AND target = ? AND stream = ?');
    this.insertBatch = db.prepare(
      'INSERT OR REPLACE INTO upload_batches (source, target, stream, first_seq, last_seq, rows, formed_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.deleteBatch = db.prepare('DELETE FROM upload_batches WHERE source = ? AND target = ? AND stream = ?');
  }

  private keyOf(target: string, stream: Stream): unknown[] {
    return this.source === '' ? [target, stream] : [this.source, target, stream];
  }

  progress(target: string, stream: Stream): Progress {
    const row = this.getProgress.get(...this.keyOf(target, stream)) as ProgressRow | undefined;
    // A moved-aside file's rows start from what the file says it sent, until this database acknowledges more.
    const lastSeq = Math.max(row?.last_seq ?? 0, this.fallback?.lastSeq(target, stream) ?? 0);
    return {
      target,
      stream,
      lastSeq,
      sent: row?.sent ?? 0,
      lastSuccessAt: row?.last_success_at ?? null,
      lastError: row?.last_error ?? null,
      lastErrorAt: row?.last_error_at ?? null,
    };
  }

  /** The batch formed and not yet acknowledged, if any. */
  openBatch(target: string, stream: Stream): BatchBounds | null {
    const row = this.getBatch.get(this.source, target, stream) as { first_seq: number; last_seq: number; rows: number } | undefined;
    if (row) return { firstSeq: row.first_seq, lastSeq: row.last_seq, rows: row.rows };
    return this.fallback?.openBatch(target, stream) ?? null;
  }

  formBatch(target: string, stream: Stream, bounds: BatchBounds, at: Date): void {
    this.insertBatch.run(this.source, target, stream, bounds.firstSeq, bounds.lastSeq, bounds.rows, at.toISOString());
  }

  /** A formed batch that progress has already passed (progress reset by hand, or a moved-aside file's own). */
  dropBatch(target: string, stream: Stream): void {
    this.deleteBatch.run(this.source, target, stream);
  }

  /** The target holds the batch: progress moves past it and the batch is closed, in one transaction. */
  acknowledged(target: string, stream: Stream, bounds: BatchBounds, at: Date): void {
    this.db.transaction(() => {
      this.upsertAck.run(...this.keyOf(target, stream), bounds.lastSeq, bounds.rows, at.toISOString());
      this.deleteBatch.run(this.source, target, stream);
    })();
  }

  failed(target: string, stream: Stream, error: string, at: Date): void {
    this.upsertError.run(...this.keyOf(target, stream), error, at.toISOString());
  }
}
