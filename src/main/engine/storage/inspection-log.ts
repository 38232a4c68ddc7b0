/**
 * Appends inspections to SQLite in batches: one transaction at most every
 * flushIntervalMs or every flushRows rows, never one per row.
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
}

export interface InspectionLogOptions {
  readonly flushIntervalMs: number;
  readonly flushRows: number;
  /** Called when a batch cannot be written; the rows stay queued for the next try. */
  readonly onError?: (err: Error) => void;
}

export class InspectionLog {
  private queue: InspectionRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly insert;
  private readonly insertMany;
  rowsWritten = 0;
  lastFlushMs = 0;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly options: InspectionLogOptions,
  ) {
    this.insert = db.prepare(`
      INSERT INTO inspections (frame_id, captured_at, origin, model_name, model_version, reject_score, scores_json,
        decision, fail_safe_reason, decode_ms, preprocess_ms, inference_ms, decision_ms, total_ms)
      VALUES (@frameId, @capturedAt, @origin, @modelName, @modelVersion, @rejectScore, @scoresJson,
        @decision, @failSafeReason, @decodeMs, @preprocessMs, @inferenceMs, @decisionMs, @totalMs)`);
    this.insertMany = db.transaction((rows: readonly InspectionRow[]) => {
      for (const r of rows) this.insert.run({ ...r, scoresJson: r.scores ? JSON.stringify(r.scores) : null });
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
      this.insertMany(batch);
      this.rowsWritten += batch.length;
    } catch (err) {
      // Keep the rows: nothing is lost because a commit failed once.
      this.queue = [...batch, ...this.queue];
      this.options.onError?.(err as Error);
      this.timer ??= setTimeout(() => this.flush(), Math.max(1000, this.options.flushIntervalMs));
    }
    this.lastFlushMs = performance.now() - t0;
  }

  close(): void {
    this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
