/**
 * Where every decided row handed to the log client is (log-client.ts): queued for the running worker, posted and
 * not yet settled (by ticket, in order), held for the next worker while none runs, committed, or counted as not
 * recorded or rejected. Every row carries a ticket, so what a dead worker held uncommitted is known and sent to
 * the next one (issue 11, review). Nothing here talks to a worker.
 */
import type { InspectionRow } from '../storage/inspection-log';

/**
 * Rows in flight to a worker that does not answer, as a multiple of maxWaitingRows, before they are counted
 * as not recorded here: the worker keeps its own bound, so only a stuck worker lets this many pile up.
 */
const STUCK_WORKER_FACTOR = 4;

export class RowLedger {
  private appended = 0;
  private committed = 0;
  /** Refused here: the worker stopped answering, or none ran and the rows kept for the next were at their bound. */
  private refusedHere = 0;
  /** Refused by workers (their queue full while commits failed), as they said. */
  private refusedByWorkers = 0;
  /** Refused by workers for what the rows held (a value SQLite cannot bind, a constraint): never retried. */
  private rejectedForContent = 0;
  private nextTicket = 0;
  /** Rows for the running worker not yet posted. */
  private queued: InspectionRow[] = [];
  /** Rows posted to the running worker that it has neither committed nor refused, by ticket (in order). */
  private readonly unsettled = new Map<number, InspectionRow>();
  /** While no worker runs: the rows for the next one, in order. */
  private held: InspectionRow[] = [];

  constructor(private readonly maxWaitingRows: number) {}

  /** A row for the running worker: the rows now queued, or null when it was refused (the worker stopped answering). */
  queue(row: InspectionRow): number | null {
    this.appended++;
    if (this.pendingRows > STUCK_WORKER_FACTOR * this.maxWaitingRows) {
      this.refusedHere++;
      return null;
    }
    this.queued.push(this.ticketed(row));
    return this.queued.length;
  }

  /** A row while no worker runs: kept for the next, as a worker keeps rows while commits fail (bounded, the rest counted). */
  hold(row: InspectionRow): void {
    this.appended++;
    if (this.held.length >= this.maxWaitingRows) this.refusedHere++;
    else this.held.push(this.ticketed(row));
  }

  /** The queued rows, now posted. */
  takeQueued(): InspectionRow[] {
    return this.posted(this.queued.splice(0));
  }

  /** The held rows, now posted to a new worker. */
  takeHeld(): InspectionRow[] {
    const rows = this.held;
    this.held = [];
    return this.posted(rows);
  }

  /** The worker died: what it held uncommitted and what was not yet posted wait for the next one (bounded). */
  workerLost(): void {
    const waiting = [...this.unsettled.values(), ...this.queued];
    this.unsettled.clear();
    this.queued = [];
    this.held = waiting.slice(0, this.maxWaitingRows);
    this.refusedHere += waiting.length - this.held.length;
  }

  /** The worker ended as asked: what it had not committed is not recorded. */
  workerClosed(): void {
    this.refusedHere += this.unsettled.size + this.queued.length;
    this.unsettled.clear();
    this.queued = [];
  }

  /** Closed while no worker ran: what waited is not recorded. */
  dropWaiting(): void {
    this.refusedHere += this.held.length + this.queued.length;
    this.held = [];
    this.queued = [];
  }

  /** Committed in order: every row up to this ticket is on disk, or was refused (and said so). */
  committedThrough(rows: number, throughTicket: number): void {
    this.committed += rows;
    for (const ticket of this.unsettled.keys()) {
      if (ticket > throughTicket) break;
      this.unsettled.delete(ticket);
    }
  }

  /** Refused by the worker: its queue was full while commits failed. */
  refused(tickets: readonly number[]): void {
    this.refusedByWorkers += tickets.length;
    this.settle(tickets);
  }

  /** Rejected by the worker for what the rows held. */
  rejected(tickets: readonly number[]): void {
    this.rejectedForContent += tickets.length;
    this.settle(tickets);
  }

  /** Sent again and found in the file: a dead worker had committed them without saying so. */
  present(tickets: readonly number[]): void {
    this.committed += tickets.length;
    this.settle(tickets);
  }

  get rowsWritten(): number {
    return this.committed;
  }

  get rowsRejected(): number {
    return this.rejectedForContent;
  }

  get notRecorded(): number {
    return this.refusedByWorkers + this.refusedHere;
  }

  get heldRows(): number {
    return this.held.length;
  }

  /** Appended and neither on disk nor counted as not recorded or rejected: queued, in flight, held, or in the worker's queue. */
  get pendingRows(): number {
    return this.appended - this.committed - this.notRecorded - this.rejectedForContent;
  }

  private ticketed(row: InspectionRow): InspectionRow {
    return { ...row, ticket: ++this.nextTicket };
  }

  private posted(rows: InspectionRow[]): InspectionRow[] {
    for (const r of rows) this.unsettled.set(r.ticket!, r);
    return rows;
  }

  private settle(tickets: readonly number[]): void {
    for (const t of tickets) this.unsettled.delete(t);
  }
}
