/**
 * The engine's handle on its log worker: rows appended here are gathered for
 * a moment and posted in one message; the worker commits them in batches and
 * says what is on disk. Nothing here blocks: an append is a push into an array.
 *
 * Nothing here throws at the line either (issue 11, item 3): while the
 * worker cannot commit, it keeps rows in memory up to storage.maxWaitingRows
 * and counts the rest; a worker that stops answering while rows pile up past
 * a multiple of that bound has further rows counted here as not recorded
 * rather than kept. The decisions themselves were made and sent to the
 * sorter before append().
 *
 * A worker that dies is started again, after 0.5 s, 1 s, 2 s, then every 5 s
 * (issue 11, review): every row carries a ticket, the worker says through
 * which ticket it committed and which it refused, so the rows it held
 * uncommitted are known, kept here with those appended meanwhile (up to
 * storage.maxWaitingRows, the rest counted as not recorded) and sent to the
 * next worker, which finds in the file any the dead one committed without
 * saying so. While no worker runs, the writer is failing (the storage alarm
 * says why, and storage.whenFull applies); each stop and each return is told
 * to onWorkerChange's listeners (storage-monitor.ts logs them). The record of
 * failed image writes went with the dead worker: the last NOT_KEPT_RESENT of
 * them are kept here and sent to the next worker before the rows, so a row
 * sent again never names an image that was never written, and retention does
 * not count its bytes (issue 11, final review).
 */
import type { StorageConfig, UploadConfig } from '../../../shared/storage-config';
import type { WorkerEntry } from '../inference/worker-entry';
import type { AsideStatus } from '../upload/aside-drain';
import type { UploadLaneStatus } from '../upload/uploader';
import type { InspectionRow, WriterRecovery, WriterStatus } from '../storage/inspection-log';
import { RpcError, WorkerLink } from '../rpc/worker-link';
import type { LogNote, LogProtocol, NotKeptImage, RejectedRowInfo, StorageSweep } from './log-protocol';
import type { StorageFault } from '../storage/storage-fault';

export class LogWorkerError extends Error {
  override readonly name = 'LogWorkerError';
}

export interface LogClientOptions {
  readonly entry: WorkerEntry;
  readonly databasePath: string;
  readonly dataDir: string;
  readonly stationId: string;
  readonly storage: StorageConfig;
  readonly upload: UploadConfig;
  readonly onCommitFailed?: (message: string) => void;
  readonly onStorage?: (sweep: StorageSweep) => void;
  /** The writer started failing, or recovered (with what waited and what was lost). */
  readonly onWriter?: (status: WriterStatus, recovery?: WriterRecovery) => void;
  /** The waits before each start of a worker that died, the last repeated (default 0.5 s, 1 s, 2 s, 5 s). */
  readonly restartDelaysMs?: readonly number[];
}

/** The log worker stopped (down) or runs again (back). */
export interface LogWorkerChange {
  readonly state: 'down' | 'back';
  /** Why it stopped (for back: the stop it is back from). */
  readonly reason: string;
  /** When it stopped, ISO 8601. */
  readonly since: string;
  readonly at: string;
  /** Workers started again since start (back: this one included). */
  readonly restarts: number;
  /** down: the wait before the next start. */
  readonly retryInMs: number | null;
  /** down: decided rows kept for the next worker; back: rows sent to it. */
  readonly waitingRows: number;
  /** Rows counted as not recorded since it stopped (past storage.maxWaitingRows while it was down). */
  readonly notRecorded: number;
}

/** Rows gathered before a message to the worker (and at most one tick's wait). */
const POST_EVERY_ROWS = 512;
/**
 * Rows in flight to a worker that does not answer, as a multiple of maxWaitingRows, before they are counted
 * as not recorded here: the worker keeps its own bound, so only a stuck worker lets this many pile up.
 */
const STUCK_WORKER_FACTOR = 4;
const RESTART_DELAYS_MS = [500, 1000, 2000, 5000] as const;
/** A worker that ran this long before it died starts the next one at the first delay again. */
const STABLE_MS = 30_000;
/** Failed image writes told to the worker, kept while none runs. */
const MAX_NOT_KEPT_WAITING = 10_000;
/** The latest failed image writes, kept to be told again to a worker started after one died (a ring: the oldest go first). */
export const NOT_KEPT_RESENT = 1000;

interface Down {
  readonly reason: string;
  readonly since: Date;
  /** notRecorded when it stopped. */
  readonly notRecordedBefore: number;
  retryInMs: number;
  timer: NodeJS.Timeout | null;
  starting: Promise<void> | null;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

type Link = WorkerLink<LogProtocol>;

export class LogClient {
  private worker: Link | null = null;
  private buffer: InspectionRow[] = [];
  private scheduled = false;
  private appended = 0;
  private committed = 0;
  /** Refused here: the worker stopped answering, or none ran and the rows kept for the next were at their bound. */
  private refusedHere = 0;
  /** Refused by workers (their queue full while commits failed), as they said. */
  private refusedByWorkers = 0;
  /** Refused by workers for what the rows held (a value SQLite cannot bind, a constraint): never retried. */
  private rejectedForContent = 0;
  private nextTicket = 0;
  /** Rows posted to the running worker that it has neither committed nor refused, by ticket (in order). */
  private readonly unsettled = new Map<number, InspectionRow>();
  /** While no worker runs: the rows for the next one, in order. */
  private held: InspectionRow[] = [];
  private notKeptImages: NotKeptImage[] = [];
  /** The latest NOT_KEPT_RESENT failed image writes, told or not: what a new worker is told first. */
  private readonly recentNotKept: NotKeptImage[] = [];
  /** A cap set while running (setDatabaseCap), given again to a worker started later. */
  private cap: { readonly maxBytes: number | null } | null = null;
  private down: Down | null = null;
  private consecutiveRestarts = 0;
  private upSince = Date.now();
  private restartCount = 0;
  /** Writer failures counted by workers that are gone (status's count goes on across restarts). */
  private earlierFailures = 0;
  private _databaseId: string;
  private _lastSeq = 0;
  private _lastFlushMs = 0;
  private lanes: readonly UploadLaneStatus[] = [];
  private asides: readonly AsideStatus[] = [];
  private sweep: StorageSweep | null = null;
  private writer: WriterStatus;
  private readonly commitListeners = new Set<(rows: number, lastSeq: number) => void>();
  private readonly writerListeners = new Set<(status: WriterStatus, recovery?: WriterRecovery) => void>();
  private readonly workerListeners = new Set<(change: LogWorkerChange) => void>();
  private readonly rejectedListeners = new Set<(rows: readonly RejectedRowInfo[]) => void>();
  private closing = false;
  private closed: Promise<void> | null = null;

  private constructor(
    private readonly opts: LogClientOptions,
    databaseId: string,
  ) {
    this._databaseId = databaseId;
    this.writer = {
      health: { state: 'ok', fault: null, since: null, failures: 0 },
      waitingRows: 0,
      maxWaitingRows: opts.storage.maxWaitingRows,
      notRecorded: 0,
    };
  }

  static async start(opts: LogClientOptions): Promise<LogClient> {
    let client: LogClient | null = null;
    const { worker, databaseId } = await LogClient.spawn(opts, {
      onNote: (link, note) => client?.heard(link, note),
      onDeath: (link, reason) => client?.lost(link, reason),
    });
    client = new LogClient(opts, databaseId);
    client.worker = worker;
    return client;
  }

  /** A worker with the log open, or a LogWorkerError (the worker is ended). What it says and its death go to `hear`. */
  private static async spawn(
    opts: LogClientOptions,
    hear: { onNote: (link: Link, note: LogNote) => void; onDeath: (link: Link, reason: string) => void },
  ): Promise<{ worker: Link; databaseId: string }> {
    const { databasePath, dataDir, stationId, storage, upload } = opts;
    let link: Link | null = null;
    try {
      const opened = await WorkerLink.open<LogProtocol>(
        opts.entry,
        { databasePath, dataDir, stationId, storage, upload },
        {
          name: 'the log writer',
          exitWords: (code) => `the log writer stopped (exit code ${code})`,
          // Heard from the start: a worker that is no longer the one running is not heard (heard() and lost() check).
          onNote: (note) => link && hear.onNote(link, note),
          onDeath: (reason) => link && hear.onDeath(link, reason),
        },
      );
      link = opened.link;
      return { worker: opened.link, databaseId: opened.opened.databaseId };
    } catch (err) {
      const answered = err instanceof RpcError && err.answered;
      throw new LogWorkerError(answered ? `the log worker cannot open ${databasePath}: ${messageOf(err)}` : messageOf(err));
    }
  }

  /** The id of the database written (migration 7). */
  get databaseId(): string {
    return this._databaseId;
  }

  append(row: InspectionRow): void {
    if (this.closing) throw new LogWorkerError('the log is closed');
    this.appended++;
    if (this.down) {
      // Kept for the next worker, as a worker keeps rows while commits fail: bounded, the rest counted.
      if (this.held.length >= this.opts.storage.maxWaitingRows) this.refusedHere++;
      else this.held.push(this.ticketed(row));
      return;
    }
    if (this.pendingRows > STUCK_WORKER_FACTOR * this.opts.storage.maxWaitingRows) {
      this.refusedHere++;
      return;
    }
    this.buffer.push(this.ticketed(row));
    if (this.buffer.length >= POST_EVERY_ROWS) this.post();
    else this.schedule();
  }

  /** A kept image's write failed (image-keeper.ts): its row is written without it, or forgets it if written already. */
  imageNotKept(image: NotKeptImage): void {
    if (this.closing) return;
    this.recentNotKept.push(image);
    if (this.recentNotKept.length > NOT_KEPT_RESENT) this.recentNotKept.shift();
    if (this.notKeptImages.length >= MAX_NOT_KEPT_WAITING) return; // the row keeps its path; a read finds no file
    this.notKeptImages.push(image);
    if (!this.down) this.schedule();
  }

  get rowsWritten(): number {
    return this.committed;
  }

  /** Appended and neither on disk nor counted as not recorded or refused: waiting here, in flight, or in the worker's queue. */
  get pendingRows(): number {
    return this.appended - this.committed - this.notRecorded - this.rejectedForContent;
  }

  /** Decided rows the log refused for what they held (not the storage's fault) since start: not written, never retried. */
  get rowsRejected(): number {
    return this.rejectedForContent;
  }

  /** Decided rows that could not be kept (the log failed and its queue was full, or no worker ran and the bound was reached), since start. */
  get notRecorded(): number {
    return this.refusedByWorkers + this.refusedHere;
  }

  /** Log workers started again since start. */
  get restarts(): number {
    return this.restartCount;
  }

  /** The writer's health: failing while commits fail or no worker runs, with the reason a technician reads. */
  writerStatus(): WriterStatus {
    return { ...this.writer, ...(this.down ? { waitingRows: this.held.length } : {}), notRecorded: this.notRecorded };
  }

  get lastSeq(): number {
    return this._lastSeq;
  }

  get lastFlushMs(): number {
    return this._lastFlushMs;
  }

  uploadStatus(): readonly UploadLaneStatus[] {
    return this.lanes;
  }

  /** The moved-aside databases beside the log, and what of their rows is still to be uploaded. */
  asideStatus(): readonly AsideStatus[] {
    return this.asides;
  }

  storageStatus(): StorageSweep | null {
    return this.sweep;
  }

  /** Told after every commit: how many rows, and the seq of the last. */
  onCommitted(listener: (rows: number, lastSeq: number) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** Told when the writer starts failing, and when it writes again (with what waited and what was lost). */
  onWriterChange(listener: (status: WriterStatus, recovery?: WriterRecovery) => void): () => void {
    this.writerListeners.add(listener);
    return () => this.writerListeners.delete(listener);
  }

  /** Told when the log refuses rows for what they hold (inspection-log.ts): the rest of their batch was committed. */
  onRowsRejected(listener: (rows: readonly RejectedRowInfo[]) => void): () => void {
    this.rejectedListeners.add(listener);
    return () => this.rejectedListeners.delete(listener);
  }

  /** Told when the log worker stops without being asked, and when a new one runs. */
  onWorkerChange(listener: (change: LogWorkerChange) => void): () => void {
    this.workerListeners.add(listener);
    return () => this.workerListeners.delete(listener);
  }

  /** A new cap on the log file (storage.maxDatabaseBytes; null: none); what waited is tried at once. */
  setDatabaseCap(maxBytes: number | null): void {
    this.cap = { maxBytes };
    this.tell('cap', { maxBytes });
  }

  /** Resolves once everything appended so far is committed, or the worker tried and could not (or none runs). */
  flush(): Promise<void> {
    this.post();
    if (this.down || !this.worker) return Promise.resolve();
    // A worker that dies before answering has tried what it could: the rows it held wait for the next one.
    return this.worker.call('flush', null).then(
      () => undefined,
      () => undefined,
    );
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing = true;
      const down = this.down;
      if (down) {
        if (down.timer) clearTimeout(down.timer);
        await down.starting;
        this.refusedHere += this.held.length + this.buffer.length;
        this.held = [];
        this.buffer = [];
        return;
      }
      const worker = this.worker;
      if (!worker) return;
      this.post();
      // What it says while closing (rows it refused, its last state) is still heard.
      await worker.close();
      this.closedWorker(worker);
    })();
    return this.closed;
  }

  private ticketed(row: InspectionRow): InspectionRow {
    return { ...row, ticket: ++this.nextTicket };
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.post());
  }

  private post(): void {
    this.scheduled = false;
    if (this.down || !this.worker) return;
    if (this.notKeptImages.length > 0) {
      const images = this.notKeptImages;
      this.notKeptImages = [];
      this.tell('imageNotKept', { images });
    }
    if (this.buffer.length === 0) return;
    const rows = this.buffer;
    this.buffer = [];
    for (const r of rows) this.unsettled.set(r.ticket!, r);
    this.tell('append', { rows });
  }

  private tell<K extends keyof LogProtocol['tells']>(kind: K, args: LogProtocol['tells'][K]): void {
    if (!this.down) this.worker?.tell(kind, args);
  }

  /** What a worker says; one that is no longer the one running is not heard. */
  private heard(worker: Link, note: LogNote): void {
    if (worker === this.worker) this.onMessage(note);
  }

  /** The worker ended as asked (close): what it had not committed is counted as not recorded. */
  private closedWorker(worker: Link): void {
    if (worker !== this.worker) return;
    this.worker = null;
    this.refusedHere += this.unsettled.size + this.buffer.length;
    this.unsettled.clear();
    this.buffer = [];
  }

  /**
   * The worker is gone. Asked to close: what it had not committed is counted as not recorded. Otherwise the rows it held
   * uncommitted, and those not yet posted, wait here for the next worker (bounded), which starts after a backoff.
   */
  private lost(worker: Link, reason: string): void {
    if (worker !== this.worker) return;
    if (this.closing) return this.closedWorker(worker);
    this.worker = null;
    const waiting = [...this.unsettled.values(), ...this.buffer];
    this.unsettled.clear();
    this.buffer = [];
    this.held = waiting.slice(0, this.opts.storage.maxWaitingRows);
    this.refusedHere += waiting.length - this.held.length;
    if (Date.now() - this.upSince >= STABLE_MS) this.consecutiveRestarts = 0;
    const now = new Date();
    this.down = { reason, since: now, notRecordedBefore: this.notRecorded, retryInMs: 0, timer: null, starting: null };
    this.earlierFailures = this.writer.health.failures + 1;
    this.scheduleRestart();
    this.writerDown();
    this.opts.onCommitFailed?.(reason);
    this.tellWorker('down');
    this.tellWriter();
  }

  private writerDown(): void {
    const down = this.down!;
    const fault: StorageFault = {
      kind: 'other',
      code: 'LOG_WORKER',
      message: `${down.reason}; it is started again, decided rows wait in memory meanwhile`,
    };
    this.writer = {
      ...this.writer,
      health: { state: 'failing', fault, since: down.since.toISOString(), failures: this.earlierFailures },
      waitingRows: this.held.length,
    };
  }

  private scheduleRestart(): void {
    const down = this.down!;
    const delays = this.opts.restartDelaysMs ?? RESTART_DELAYS_MS;
    down.retryInMs = delays[Math.min(this.consecutiveRestarts, delays.length - 1)] ?? 5000;
    this.consecutiveRestarts++;
    down.timer = setTimeout(() => this.restart(down), down.retryInMs);
  }

  private restart(down: Down): void {
    down.timer = null;
    if (this.closing || this.down !== down) return;
    // Both outcomes are handled here: nothing of a failed start may reject unheard (it would end the process, Node 20).
    down.starting = LogClient.spawn(this.opts, { onNote: (link, note) => this.heard(link, note), onDeath: (link, reason) => this.lost(link, reason) }).then(
      async ({ worker, databaseId }) => {
        down.starting = null;
        if (this.closing) {
          await worker.end();
          return;
        }
        if (databaseId !== this._databaseId) this.opts.onCommitFailed?.(`the log file now has database id ${databaseId} (was ${this._databaseId})`);
        this._databaseId = databaseId;
        this.back(down, worker);
      },
      (err: unknown) => {
        down.starting = null;
        if (this.closing) return;
        this.opts.onCommitFailed?.(`the log writer could not be started again: ${messageOf(err)}`);
        this.scheduleRestart();
      },
    );
    down.starting = down.starting.catch((err: unknown) => this.opts.onCommitFailed?.(`starting the log writer again failed: ${messageOf(err)}`));
  }

  /** A new worker has the log open: it gets what waited, the cap in force and the images not kept. */
  private back(down: Down, worker: Link): void {
    this.down = null;
    this.worker = worker;
    this.restartCount++;
    this.upSince = Date.now();
    this.writer = {
      health: { state: 'ok', fault: null, since: null, failures: this.earlierFailures },
      waitingRows: 0,
      maxWaitingRows: this.opts.storage.maxWaitingRows,
      notRecorded: 0,
    };
    if (this.cap) this.tell('cap', { maxBytes: this.cap.maxBytes });
    // Before the rows: the dead worker knew which of their images were never written, and that died with it.
    if (this.recentNotKept.length > 0) {
      const told = new Set(this.recentNotKept);
      this.tell('imageNotKept', { images: [...this.recentNotKept], resent: true });
      this.notKeptImages = this.notKeptImages.filter((image) => !told.has(image));
    }
    const rows = this.held;
    this.held = [];
    for (const r of rows) this.unsettled.set(r.ticket!, r);
    // resent: the dead worker may have committed some without saying so; the new one finds those in the file.
    if (rows.length > 0) this.tell('append', { rows, resent: true });
    this.post();
    this.tellWorker('back', down, rows.length);
    this.tellWriter();
  }

  private tellWorker(state: LogWorkerChange['state'], down: Down | null = this.down, rows = this.held.length): void {
    if (!down) return;
    const change: LogWorkerChange = {
      state,
      reason: down.reason,
      since: down.since.toISOString(),
      at: new Date().toISOString(),
      restarts: this.restartCount,
      retryInMs: state === 'down' ? down.retryInMs : null,
      waitingRows: rows,
      notRecorded: this.notRecorded - down.notRecordedBefore,
    };
    for (const l of this.workerListeners) l(change);
  }

  private tellWriter(recovery?: WriterRecovery): void {
    const status = this.writerStatus();
    this.opts.onWriter?.(status, recovery);
    for (const l of this.writerListeners) l(status, recovery);
  }

  private settle(tickets: readonly number[]): void {
    for (const t of tickets) this.unsettled.delete(t);
  }

  private onMessage(m: LogNote): void {
    switch (m.type) {
      case 'committed':
        this.committed += m.rows;
        this._lastSeq = m.lastSeq;
        this._lastFlushMs = m.flushMs;
        // Committed in order: every row up to this ticket is on disk, or was refused (and said so).
        for (const ticket of this.unsettled.keys()) {
          if (ticket > m.throughTicket) break;
          this.unsettled.delete(ticket);
        }
        for (const l of this.commitListeners) l(m.rows, m.lastSeq);
        return;
      case 'refused':
        this.refusedByWorkers += m.tickets.length;
        this.settle(m.tickets);
        return;
      case 'rejected':
        this.rejectedForContent += m.rows.length;
        this.settle(m.rows.map((r) => r.ticket));
        for (const l of this.rejectedListeners) {
          try {
            l(m.rows);
          } catch {
            // a listener's failure must not end the thread that serves the line
          }
        }
        return;
      case 'present':
        this.committed += m.tickets.length;
        this.settle(m.tickets);
        for (const l of this.commitListeners) l(m.tickets.length, this._lastSeq);
        return;
      case 'commit-failed':
        return this.opts.onCommitFailed?.(m.message);
      case 'writer': {
        const changed = m.status.health.state !== this.writer.health.state || m.recovery !== undefined;
        this.writer = { ...m.status, health: { ...m.status.health, failures: m.status.health.failures + this.earlierFailures } };
        if (changed) this.tellWriter(m.recovery);
        return;
      }
      case 'upload':
        this.lanes = m.lanes;
        this.asides = m.asides;
        return;
      case 'storage': {
        const { type: _type, ...sweep } = m;
        this.sweep = sweep;
        this.opts.onStorage?.(sweep);
        return;
      }
      default:
        return;
    }
  }
}
