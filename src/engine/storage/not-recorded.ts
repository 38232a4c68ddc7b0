/**
 * Inspections that were decided (and sent to the sorter) but could not be
 * kept: the log was failing and its queue in memory was full. Never silent:
 * the count since start is in status, and each episode's count, frames and
 * times go to the event log once the log can be written again.
 */
export interface NotRecordedSpan {
  readonly count: number;
  readonly firstFrameId: number;
  readonly lastFrameId: number;
  /** capturedAt of the first and last, ISO 8601. */
  readonly firstAt: string;
  readonly lastAt: string;
}

export class NotRecordedTally {
  private totalCount = 0;
  private span: NotRecordedSpan | null = null;

  get total(): number {
    return this.totalCount;
  }

  add(row: { readonly frameId: number; readonly capturedAt: string }): void {
    this.totalCount++;
    this.span = this.span
      ? { ...this.span, count: this.span.count + 1, lastFrameId: row.frameId, lastAt: row.capturedAt }
      : { count: 1, firstFrameId: row.frameId, lastFrameId: row.frameId, firstAt: row.capturedAt, lastAt: row.capturedAt };
  }

  /** What was lost since the last call, for the episode's report. */
  takeSpan(): NotRecordedSpan | null {
    const span = this.span;
    this.span = null;
    return span;
  }
}
