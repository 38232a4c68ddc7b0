/**
 * The station's event log in SQLite: alarms, health changes, fail-safe. Events
 * are rare (a handful a minute at worst), so each is committed at once.
 *
 * append() never throws: it is called from timers and callbacks (the
 * watchdog, the alarm board, sign-ins), where a throw ended the station when
 * the disk filled (issue 11, item 3). An event that cannot be written waits
 * in memory, up to MAX_WAITING_EVENTS, and is tried again every RETRY_MS;
 * past the bound it is counted, and the count is itself logged once the log
 * can be written again.
 */
import type { StationEvent } from '../../../shared/alarms';
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
}

const MAX_WAITING_EVENTS = 1000;
const RETRY_MS = 1000;

export class EventLog {
  private readonly insert;
  private readonly queue = new BoundedQueue<NewEvent>(MAX_WAITING_EVENTS);
  private notRecorded = 0;
  /** Refused since the last time the log was written, for the event that says so. */
  private notRecordedUnreported = 0;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly writes: MainWrites,
  ) {
    this.insert = db.prepare('INSERT INTO events (at, kind, severity, message, data_json) VALUES (?, ?, ?, ?, ?)');
  }

  append(event: NewEvent): void {
    if (!this.queue.push(event)) {
      this.notRecorded++;
      this.notRecordedUnreported++;
      return;
    }
    // Behind events that wait, a new one waits too: the log keeps their order.
    if (this.queue.length === 1 && this.retry === null) this.writeWaiting();
  }

  status(): EventLogStatus {
    return { waiting: this.queue.length, notRecorded: this.notRecorded };
  }

  recent(limit: number): StationEvent[] {
    return this.db.prepare('SELECT seq, at, kind, severity, message FROM events ORDER BY seq DESC LIMIT ?').all(limit) as StationEvent[];
  }

  /** Tries once more and stops retrying; what still waits is lost with the process (status said so). */
  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    if (this.queue.length > 0) this.writeWaiting();
    if (this.retry) clearTimeout(this.retry);
  }

  private writeWaiting(): void {
    this.retry = null;
    const batch = this.queue.takeAll();
    if (this.notRecordedUnreported > 0) {
      batch.push({
        at: new Date(),
        kind: 'storage',
        severity: 'warning',
        message: `${this.notRecordedUnreported} event(s) could not be recorded while the log could not be written (over ${MAX_WAITING_EVENTS} waited)`,
      });
    }
    const written = this.writes.attempt(() => {
      for (const e of batch) this.insert.run(e.at.toISOString(), e.kind, e.severity, e.message, e.data === undefined ? null : JSON.stringify(e.data));
    });
    if (written) {
      this.notRecordedUnreported = 0;
      return;
    }
    this.queue.restore(this.notRecordedUnreported > 0 ? batch.slice(0, -1) : batch);
    if (!this.closed) this.retry = setTimeout(() => this.writeWaiting(), RETRY_MS);
  }
}
