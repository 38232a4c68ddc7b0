/**
 * Appends inspections to SQLite in batches: one transaction at most every
 * flushIntervalMs or every flushRows rows, never one per row. Runs in the
 * log worker (log-worker.ts), so a commit (an fsync with synchronous=FULL)
 * never holds up the thread that serves the UI.
 *
 * A commit that fails (a full disk, an I/O error, a read-only or vanished
 * file) loses nothing by itself: the rows wait in memory, up to
 * maxWaitingRows, and the commit is tried again every retryMs until it lands.
 * Past the bound a row is counted as not recorded (its decision was made and
 * sent all the same), and the count goes to the event log when the log is
 * written again (issue 11, item 3).
 *
 * Only the storage's failures (storage-fault.ts isStorageFault) are tried
 * again. A batch refused for what one of its rows holds (a value SQLite cannot
 * bind, a constraint, a TypeError) is written row by row, each in a savepoint
 * of one transaction: the bad row(s) are refused, counted and told
 * (onRejected), the rest committed. Retrying them would fail for ever, keep
 * the writer failing and, under storage.whenFull fail-safe, reject every
 * item after them (issue 11, final review; as EventLog.writeWaiting does).
 */
import type { Decision } from '../../shared/decision';
import { BoundedQueue } from './bounded-queue';
import type { SqliteDatabase } from './database';
import type { FileIdentity } from './file-identity';
import { NotRecordedTally, type NotRecordedSpan } from './not-recorded';
import { isStorageFault, storageFaultOf } from './storage-fault';
import { WriteHealth, type WriteEpisode, type WriteHealthSnapshot } from './write-health';

export interface InspectionRow {
  readonly frameId: number;
  readonly capturedAt: string;
  readonly origin: string;
  readonly modelName: string;
  readonly modelVersion: string;
  readonly rejectScore: number | null;
  readonly scores: Readonly<Record<string, number>> | null;
  readonly decision: Decision;
  readonly failSafeReason: string | null;
  readonly decodeMs: number | null;
  readonly preprocessMs: number | null;
  readonly inferenceMs: number | null;
  readonly decisionMs: number | null;
  readonly totalMs: number | null;
  /** The thresholds in force when the item was decided (migration 10); left out: not recorded. */
  readonly pitThreshold?: number | null;
  readonly maybeThreshold?: number | null;
  /** The frame's JPEG, relative to the data dir, when it is kept. */
  readonly imagePath?: string | null;
  readonly imageBytes?: number;
  /**
   * The log client's number for the row (log-client.ts), increasing: the worker says through which one it committed and which
   * it refused, so that rows a worker held when it died are sent to the next one, and only those. Not written.
   */
  readonly ticket?: number;
}

export interface Committed {
  readonly rows: number;
  /** The seq of the last row written. */
  readonly lastSeq: number;
  readonly flushMs: number;
}

/** The writer as status shows it. */
export interface WriterStatus {
  readonly health: WriteHealthSnapshot;
  /** Decided rows waiting in memory for a commit. */
  readonly waitingRows: number;
  readonly maxWaitingRows: number;
  /** Rows refused since start because the queue was full while commits failed. */
  readonly notRecorded: number;
}

/** A row the log refused for what it holds (never retried), and SQLite's or the code's words. */
export interface RejectedRow {
  readonly row: InspectionRow;
  readonly reason: string;
}

/** The log is written again: how long it failed, what waited and was committed, what was lost. */
export interface WriterRecovery {
  readonly episode: WriteEpisode;
  readonly committedAfterWait: number;
  readonly notRecorded: NotRecordedSpan | null;
}

export interface InspectionLogOptions {
  readonly flushIntervalMs: number;
  readonly flushRows: number;
  /** Rows kept in memory while commits fail (default 50,000). */
  readonly maxWaitingRows?: number;
  /** The wait between two tries of a failed commit (default 1 s: each try is one cheap failing write). */
  readonly retryMs?: number;
  /** The file written: named in fault messages, and checked before each commit (a removed file takes writes silently). */
  readonly file?: { readonly path: string; readonly identity?: FileIdentity; readonly capped?: () => boolean };
  /** Called when a batch cannot be written (the first failure of an episode, and a change of cause); the rows stay queued for the next try. */
  readonly onError?: (err: Error) => void;
  readonly onCommitted?: (committed: Committed, rows: readonly InspectionRow[]) => void;
  /** Commits started failing (recovery undefined) or landed again after failing. */
  readonly onHealth?: (status: WriterStatus, recovery?: WriterRecovery) => void;
  /** True for a kept image whose write failed (image-keeper.ts): its row is written without the path. */
  readonly imageNotKept?: (path: string) => boolean;
  /** Rows refused for what they hold (not the storage's fault): not written, never retried; the rest of their batch was. */
  readonly onRejected?: (rows: readonly RejectedRow[]) => void;
  readonly now?: () => Date;
}

export const DEFAULT_MAX_WAITING_ROWS = 50_000;
const DEFAULT_RETRY_MS = 1000;

export class InspectionLog {
  private readonly queue: BoundedQueue<InspectionRow>;
  private readonly health: WriteHealth;
  private readonly notRecorded = new NotRecordedTally();
  private timer: NodeJS.Timeout | null = null;
  private readonly insert;
  private readonly insertMany;
  /** Row by row, each in a savepoint: for a batch refused for what a row holds. */
  private readonly insertEach;
  /** Rows that waited through a failure and were committed since it began. */
  private committedAfterWait = 0;
  rowsWritten = 0;
  /** Rows refused for what they hold since start (onRejected). */
  rowsRejected = 0;
  lastFlushMs = 0;

  constructor(
    db: SqliteDatabase,
    private readonly options: InspectionLogOptions,
  ) {
    this.queue = new BoundedQueue(options.maxWaitingRows ?? DEFAULT_MAX_WAITING_ROWS);
    this.health = new WriteHealth(options.now);
    this.insert = db.prepare(`
      INSERT INTO inspections (frame_id, captured_at, origin, model_name, model_version, reject_score, scores_json,
        decision, fail_safe_reason, decode_ms, preprocess_ms, inference_ms, decision_ms, total_ms, image_path, pit_threshold, maybe_threshold)
      VALUES (@frameId, @capturedAt, @origin, @modelName, @modelVersion, @rejectScore, @scoresJson,
        @decision, @failSafeReason, @decodeMs, @preprocessMs, @inferenceMs, @decisionMs, @totalMs, @imagePath, @pitThreshold, @maybeThreshold)`);
    const insertRow = (r: InspectionRow): number => {
      const { imageBytes: _bytes, ticket: _ticket, ...row } = r;
      const imagePath = r.imagePath && !this.options.imageNotKept?.(r.imagePath) ? r.imagePath : null;
      return Number(
        this.insert.run({
          ...row,
          imagePath,
          scoresJson: r.scores ? JSON.stringify(r.scores) : null,
          pitThreshold: r.pitThreshold ?? null,
          maybeThreshold: r.maybeThreshold ?? null,
        }).lastInsertRowid,
      );
    };
    this.insertMany = db.transaction((rows: readonly InspectionRow[]): number => {
      let last = 0;
      for (const r of rows) last = insertRow(r);
      return last;
    });
    // Called inside insertEach's transaction, better-sqlite3 makes this a savepoint: a row that fails leaves nothing behind.
    const insertOne = db.transaction(insertRow);
    this.insertEach = db.transaction((rows: readonly InspectionRow[]) => {
      let last = 0;
      const written: InspectionRow[] = [];
      const rejected: RejectedRow[] = [];
      for (const r of rows) {
        try {
          last = insertOne(r);
          written.push(r);
        } catch (err) {
          // The storage failing now fails the whole batch, which waits and is tried again.
          if (isStorageFault(err, this.filePath)) throw err;
          rejected.push({ row: r, reason: err instanceof Error ? err.message : String(err) });
        }
      }
      return { last, written, rejected };
    });
  }

  private get filePath(): string {
    return this.options.file?.path ?? 'the log';
  }

  get pendingRows(): number {
    return this.queue.length;
  }

  status(): WriterStatus {
    return { health: this.health.snapshot(), waitingRows: this.queue.length, maxWaitingRows: this.queue.limit, notRecorded: this.notRecorded.total };
  }

  /** False when the row was refused (the queue is full while commits fail): it is counted as not recorded. */
  append(row: InspectionRow): boolean {
    if (!this.queue.push(row)) {
      this.notRecorded.add(row);
      return false;
    }
    // While commits fail, only the retry timer tries again: a try per row would spin on a full disk.
    if (this.health.failing) return true;
    if (this.queue.length >= this.options.flushRows) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.flushIntervalMs);
    return true;
  }

  /** Writes everything queued in one transaction. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.queue.length === 0) return;
    const batch = this.queue.takeAll();
    const t0 = performance.now();
    let lastSeq: number;
    let written: readonly InspectionRow[] = batch;
    let rejected: readonly RejectedRow[] = [];
    try {
      this.options.file?.identity?.assert();
      lastSeq = this.insertMany(batch);
    } catch (err) {
      if (isStorageFault(err, this.filePath)) {
        // Keep the rows: nothing is lost because a commit failed once.
        this.queue.restore(batch);
        this.failed(err);
        return;
      }
      // Refused for what a row holds: trying the batch again cannot help. Row by row, the bad one(s) refused.
      try {
        ({ last: lastSeq, written, rejected } = this.insertEach(batch));
      } catch (storageErr) {
        this.queue.restore(batch);
        this.failed(storageErr);
        return;
      }
    }
    // Outside the try: only a failed commit may put rows back (a throw after it would write them twice).
    this.lastFlushMs = performance.now() - t0;
    if (rejected.length > 0) {
      this.rowsRejected += rejected.length;
      this.options.onRejected?.(rejected);
    }
    if (written.length > 0) {
      this.rowsWritten += written.length;
      this.options.onCommitted?.({ rows: written.length, lastSeq, flushMs: this.lastFlushMs }, written);
    }
    this.landed(written.length);
  }

  /** A commit failed: counted in the health, told once per episode and cause, tried again after retryMs. */
  private failed(err: unknown): void {
    const file = this.options.file;
    const previous = this.health.snapshot().fault;
    const fault = storageFaultOf(err, this.filePath, file?.capped?.() ?? false);
    // Once per episode (a retry a second on a full disk would fill the station's own log otherwise), and when the cause changes.
    if (previous?.code !== fault.code) this.options.onError?.(err as Error);
    const started = this.health.failed(fault);
    if (started) {
      this.committedAfterWait = 0;
      this.options.onHealth?.(this.status());
    }
    this.timer ??= setTimeout(() => this.flush(), this.options.retryMs ?? DEFAULT_RETRY_MS);
  }

  /** Flushes once more; rows that still cannot be written are counted as not recorded, and returned. */
  close(): InspectionRow[] {
    this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const lost = this.queue.takeAll();
    for (const row of lost) this.notRecorded.add(row);
    return lost;
  }

  private landed(rows: number): void {
    if (!this.health.failing) return;
    this.committedAfterWait += rows;
    const episode = this.health.succeeded();
    if (!episode) return;
    this.options.onHealth?.(this.status(), { episode, committedAfterWait: this.committedAfterWait, notRecorded: this.notRecorded.takeSpan() });
  }
}
