/**
 * Appends inspections to SQLite in batches: one transaction at most every
 * flushIntervalMs or every flushRows rows, never one per row. Runs in the
 * log worker (log-worker.ts), so a commit (an fsync with synchronous=FULL)
 * never holds up the thread that serves the UI.
 */
import type { Decision } from '../../../shared/decision';
import type { SqliteDatabase } from './database';

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
  /** The frame's JPEG, relative to the data dir, when it is kept. */
  readonly imagePath?: string | null;
  readonly imageBytes?: number;
}

export interface Committed {
  readonly rows: number;
  /** The seq of the last row written. */
  readonly lastSeq: number;
  readonly flushMs: number;
}

export interface InspectionLogOptions {
  readonly flushIntervalMs: number;
  readonly flushRows: number;
  /** Called when a batch cannot be written; the rows stay queued for the next try. */
  readonly onError?: (err: Error) => void;
  readonly onCommitted?: (committed: Committed, rows: readonly InspectionRow[]) => void;
}

export class InspectionLog {
  private queue: InspectionRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly insert;
  private readonly insertMany;
  rowsWritten = 0;
  lastFlushMs = 0;

  constructor(
    db: SqliteDatabase,
    private readonly options: InspectionLogOptions,
  ) {
    this.insert = db.prepare(`
      INSERT INTO inspections (frame_id, captured_at, origin, model_name, model_version, reject_score, scores_json,
        decision, fail_safe_reason, decode_ms, preprocess_ms, inference_ms, decision_ms, total_ms, image_path)
      VALUES (@frameId, @capturedAt, @origin, @modelName, @modelVersion, @rejectScore, @scoresJson,
        @decision, @failSafeReason, @decodeMs, @preprocessMs, @inferenceMs, @decisionMs, @totalMs, @imagePath)`);
    this.insertMany = db.transaction((rows: readonly InspectionRow[]): number => {
      let last = 0;
      for (const r of rows) {
        const { imageBytes: _bytes, ...row } = r;
        last = Number(this.insert.run({ ...row, imagePath: r.imagePath ?? null, scoresJson: r.scores ? JSON.stringify(r.scores) : null }).lastInsertRowid);
      }
      return last;
    });
  }

  get pendingRows(): number {
    return this.queue.length;
  }

  append(row: InspectionRow): void {
    this.queue.push(row);
    if (this.queue.length >= this.options.flushRows) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.flushIntervalMs);
  }

  /** Writes everything queued in one transaction. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    const t0 = performance.now();
    try {
      const lastSeq = this.insertMany(batch);
      this.rowsWritten += batch.length;
      this.lastFlushMs = performance.now() - t0;
      this.options.onCommitted?.({ rows: batch.length, lastSeq, flushMs: this.lastFlushMs }, batch);
    } catch (err) {
      // Keep the rows: nothing is lost because a commit failed once.
      this.queue = [...batch, ...this.queue];
      this.options.onError?.(err as Error);
      this.timer ??= setTimeout(() => this.flush(), Math.max(1000, this.options.flushIntervalMs));
    }
  }

  close(): void {
    this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
