/**
 * The outbox: what each upload target has yet to receive, from one log
 * database (this station's, or a moved-aside file being drained), as fixed
 * batches. The next batch is the one formed before and not yet acknowledged
 * if there is one (same rows, same key), else a new one after what the
 * target acknowledged, whose bounds are written down before it is sent.
 */
import type { BatchBounds, Progress, ProgressStore } from './progress-store';
import type { RowReader, Stream, StreamRows } from './row-reader';

export { STREAMS, type AuditRecord, type InspectionRecord, type Stream } from './row-reader';
export type { Progress } from './progress-store';

/** A batch as it is sent: its rows and its key are fixed by the database it came from and its bounds. */
export type OutboxBatch = StreamRows & {
  /** The id of the database the rows came from (migration 7): with the seq, it names a row across databases. */
  readonly databaseId: string;
  readonly firstSeq: number;
  readonly lastSeq: number;
  /**
   * Formed before this try (a retry, or found open at a start): the target may hold it already, so storing none of its rows
   * is no sign of rows from elsewhere (uploader.ts counts alreadyPresent).
   */
  readonly resent: boolean;
};

export class Outbox {
  constructor(
    private readonly reader: RowReader,
    private readonly store: ProgressStore,
    readonly databaseId: string,
  ) {}

  progress(target: string, stream: Stream): Progress {
    return this.store.progress(target, stream);
  }

  newest(stream: Stream): number {
    return this.reader.newest(stream);
  }

  /** Rows the target has yet to acknowledge (by seq: gaps left by rolled-back writes count too). */
  pending(target: string, stream: Stream): number {
    return Math.max(0, this.newest(stream) - this.progress(target, stream).lastSeq);
  }

  /** The batch to send to `target` now, or null when it has everything. Forming one writes its bounds (it may throw on a full disk). */
  next(target: string, stream: Stream, limit: number, at: Date): OutboxBatch | null {
    const acknowledged = this.progress(target, stream).lastSeq;
    const open = this.store.openBatch(target, stream);
    if (open && open.lastSeq > acknowledged) return this.batch(this.reader.range(stream, open.firstSeq, open.lastSeq), open, true);
    if (open) this.store.dropBatch(target, stream);
    const rows = this.reader.after(stream, acknowledged, limit);
    if (rows.rows.length === 0) return null;
    const bounds: BatchBounds = { firstSeq: rows.rows[0]!.seq, lastSeq: rows.rows[rows.rows.length - 1]!.seq, rows: rows.rows.length };
    this.store.formBatch(target, stream, bounds, at);
    return this.batch(rows, bounds, false);
  }

  acknowledged(target: string, batch: OutboxBatch, at: Date): void {
    this.store.acknowledged(target, batch.stream, { firstSeq: batch.firstSeq, lastSeq: batch.lastSeq, rows: batch.rows.length }, at);
  }

  failed(target: string, stream: Stream, error: string, at: Date): void {
    this.store.failed(target, stream, error, at);
  }

  /** The highest seq of `stream` every target has acknowledged (everything, with no target). */
  uploadedThrough(stream: Stream, targets: readonly string[]): number {
    if (targets.length === 0) return Number.MAX_SAFE_INTEGER;
    return Math.min(...targets.map((t) => this.progress(t, stream).lastSeq));
  }

  private batch(rows: StreamRows, bounds: BatchBounds, resent: boolean): OutboxBatch {
    return { ...rows, databaseId: this.databaseId, firstSeq: bounds.firstSeq, lastSeq: bounds.lastSeq, resent };
  }
}
