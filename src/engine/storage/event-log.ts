/**
 * The station's event log in SQLite: alarms, health changes, fail-safe. Events
 * are rare (a handful a minute at worst), so each is committed at once.
 *
 * append() never throws: it is called from timers and callbacks (the
 * watchdog, the alarm board, sign-ins), where a throw ended the station when
 * the disk filled (issue 11, item 3). An event that cannot be written waits
 * in memory, up to MAX_WAITING_EVENTS, and is tried again every RETRY_MS;
 * past the bound it is counted, and the count is itself logged once the log
 * can be written again. Only the storage's failures are retried: an event
 * refused for itself (data that cannot be serialised, a value SQLite cannot
 * bind) is reported, counted and dropped, never blocking those after it.
 */
import type { StationEvent } from '../../shared/alarms';
import { BoundedQueue } from './bounded-queue';
import type { SqliteDatabase } from './database';
import type { MainWrites } from './main-writes';

export interface NewEvent {
  readonly at: Date;
  readonly kind: string;
  readonly severity: StationEvent['severity'];
  readonly message: string;
  readonly data?: unknown;
}

export interface EventLogStatus {
  readonly waiting: number;
  /** Events refused since start because the queue was full while the log could not be written. */
  readonly notRecorded: number;
  /**
   * Events refused for a reason of their own (a value SQLite cannot bind), or written without their data (data that cannot be
   * serialised: a BigInt, a cycle), since start. Never retried: one bad event must not hold back those after it (issue 11).
   */
  readonly rejected: number;
}

/** Told when an event is dropped, or written without its data, for a reason of its own (not the storage's). */
export type EventRejected = (event: NewEvent, reason: string) => void;

/** An event as it is written: its data serialised when it was appended, so that a bad one fails alone and early. */
interface PreparedEvent {
  readonly source: NewEvent;
  readonly at: string;
  readonly dataJson: string | null;
}

const MAX_WAITING_EVENTS = 1000;
const RETRY_MS = 1000;

/** The data as JSON, or why it cannot be. */
function serialise(data: unknown): { json: string | null } | { error: string } {
  if (data === undefined) return { json: null };
  try {
    return { json: JSON.stringify(data) ?? null };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

export class EventLog {
  private readonly insert;
  private readonly queue = new BoundedQueue<PreparedEvent>(MAX_WAITING_EVENTS);
  private notRecorded = 0;
  private rejected = 0;
  /** Refused since the last time the log was written, for the event that says so. */
  private notRecordedUnreported = 0;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly writes: MainWrites,
    private readonly onRejected: EventRejected = () => undefined,
  ) {
    this.insert = db.prepare('INSERT INTO events (at, kind, severity, message, data_json) VALUES (?, ?, ?, ?, ?)');
  }

  append(event: NewEvent): void {
    if (!this.queue.push(this.prepare(event))) {
      this.notRecorded++;
      this.notRecordedUnreported++;
      return;
    }
    // Behind events that wait, a new one waits too: the log keeps their order.
    if (this.queue.length === 1 && this.retry === null) this.writeWaiting();
  }

  status(): EventLogStatus {
    return { waiting: this.queue.length, notRecorded: this.notRecorded, rejected: this.rejected };
  }

  /** The newest events, of the given kinds only when kinds are given (an index by kind keeps a rare kind quick to find). */
  recent(limit: number, kinds?: readonly string[]): StationEvent[] {
    if (!kinds || kinds.length === 0) {
      return this.db.prepare('SELECT seq, at, kind, severity, message FROM events ORDER BY seq DESC LIMIT ?').all(limit) as StationEvent[];
    }
    const unique = [...new Set(kinds)];
    const sql = `SELECT seq, at, kind, severity, message FROM events WHERE kind IN (${unique.map(() => '?').join(', ')}) ORDER BY seq DESC LIMIT ?`;
    return this.db.prepare(sql).all(...unique, limit) as StationEvent[];
  }

  /** Tries once more and stops retrying; what still waits is lost with the process (status said so). */
  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    if (this.queue.length > 0) this.writeWaiting();
    if (this.retry) clearTimeout(this.retry);
  }

  /** Serialised here, outside any transaction: data that cannot be (a BigInt, a cycle) leaves the event without it. */
  private prepare(event: NewEvent): PreparedEvent {
    const data = serialise(event.data);
    if ('json' in data) return { source: event, at: this.isoOf(event), dataJson: data.json };
    this.reject(event, `its data cannot be recorded (${data.error}); the event is written without it`);
    return { source: event, at: this.isoOf(event), dataJson: JSON.stringify({ dataNotRecorded: data.error }) };
  }

  private isoOf(event: NewEvent): string {
    return event.at instanceof Date && !Number.isNaN(event.at.getTime()) ? event.at.toISOString() : new Date().toISOString();
  }

  private reject(event: NewEvent, reason: string): void {
    this.rejected++;
    try {
      this.onRejected(event, reason);
    } catch {
      // the report is best effort: append() must never throw
    }
  }

  private writeOne(e: PreparedEvent): void {
    this.insert.run(e.at, e.source.kind, e.source.severity, e.source.message, e.dataJson);
  }

  private writeWaiting(): void {
    this.retry = null;
    const batch = this.queue.takeAll();
    // Taken before the write: a successful write may log an event of its own (the log writes again), re-entering here.
    const unreported = this.notRecordedUnreported;
    this.notRecordedUnreported = 0;
    const summary: PreparedEvent[] =
      unreported > 0
        ? [
            this.prepare({
              at: new Date(),
              kind: 'storage',
              severity: 'warning',
              message: `${unreported} event(s) could not be recorded while the log could not be written (over ${MAX_WAITING_EVENTS} waited)`,
            }),
          ]
        : [];
    const all = [...batch, ...summary];
    const outcome = this.writes.tryWrite(() => {
      for (const e of all) this.writeOne(e);
    });
    if (outcome.written) return;
    if ('fault' in outcome) return this.waitForStorage(batch, unreported);
    // One of them is refused for itself: each on its own, so that only the bad one is dropped.
    for (let i = 0; i < all.length; i++) {
      const e = all[i]!;
      const one = this.writes.tryWrite(() => this.writeOne(e));
      if (one.written) continue;
      if ('fault' in one) return this.waitForStorage(all.slice(i, batch.length), unreported); // the summary is last: not written yet
      this.reject(e.source, `it cannot be recorded: ${one.rejected.message}`);
    }
  }

  /** The storage failed: what waited goes back in front, and is tried again after RETRY_MS. */
  private waitForStorage(waiting: readonly PreparedEvent[], unreported: number): void {
    this.queue.restore(waiting);
    this.notRecordedUnreported += unreported;
    if (!this.closed) this.retry = setTimeout(() => this.writeWaiting(), RETRY_MS);
  }
}
