/**
 * The engine's handle on its log worker: rows appended here are gathered for
 * a moment and posted in one message; the worker commits them in batches and
 * says what is on disk. Nothing here blocks: an append is a push into an array.
 *
 * Nothing here throws at the line either (issue 11, item 3): while the
 * worker cannot commit, it keeps rows in memory up to storage.maxWaitingRows
 * and counts the rest; where each row is, and what is counted, is kept in
 * row-ledger.ts. The decisions themselves were made and sent to the sorter
 * before append().
 *
 * A worker that dies is started again, after 0.5 s, 1 s, 2 s, then every 5 s
 * (issue 11, review): the rows it held uncommitted wait here with those
 * appended meanwhile and go to the next worker, which finds in the file any
 * the dead one committed without saying so. While no worker runs, the writer
 * is failing (the storage alarm says why, and storage.whenFull applies); each
 * stop and each return is told to onWorkerChange's listeners
 * (storage-monitor.ts logs them). Failed image writes are told to the next
 * worker before the rows (not-kept-images.ts).
 */
import type { AsideStatus } from '../upload/aside-drain';
import type { UploadLaneStatus } from '../upload/uploader';
import type { InspectionRow, WriterRecovery, WriterStatus } from '../storage/inspection-log';
import { RestartBackoff } from '../rpc/restart-backoff';
import type { WorkerLink } from '../rpc/worker-link';
import type { LogNote, LogProtocol, NotKeptImage, RejectedRowInfo, StorageSweep } from './log-protocol';
import { LogWorkerError, openLogWorker, type LogWorkerOpen } from './open-log-worker';
import { LogListeners, type LogWorkerChange } from './log-listeners';
import { NotKeptImages } from './not-kept-images';
import { RowLedger } from './row-ledger';
import { WriterHealth } from './writer-health';
import { messageOf } from '../error-message';

export type { LogWorkerChange } from './log-listeners';
export { NOT_KEPT_RESENT } from './not-kept-images';
export { LogWorkerError } from './open-log-worker';

export interface LogClientOptions extends LogWorkerOpen {
  readonly onCommitFailed?: (message: string) => void;
  readonly onStorage?: (sweep: StorageSweep) => void;
  /** The writer started failing, or recovered (with what waited and what was lost). */
  readonly onWriter?: (status: WriterStatus, recovery?: WriterRecovery) => void;
  /** The waits before each start of a worker that died, the last repeated (default 0.5 s, 1 s, 2 s, 5 s). */
  readonly restartDelaysMs?: readonly number[];
}

/** Rows gathered before a message to the worker (and at most one tick's wait). */
const POST_EVERY_ROWS = 512;
const RESTART_DELAYS_MS = [500, 1000, 2000, 5000] as const;
/** A worker that ran this long before it died starts the next one at the first delay again. */
const STABLE_MS = 30_000;

interface Down {
  readonly reason: string;
  readonly since: Date;
  /** notRecorded when it stopped. */
  readonly notRecordedBefore: number;
  retryInMs: number;
  timer: NodeJS.Timeout | null;
  starting: Promise<void> | null;
}

type Link = WorkerLink<LogProtocol>;

export class LogClient {
  private worker: Link | null = null;
  private readonly rows: RowLedger;
  private readonly notKept = new NotKeptImages();
  private readonly listeners = new LogListeners();
  private scheduled = false;
  /** A cap set while running (setDatabaseCap), given again to a worker started later. */
  private cap: { readonly maxBytes: number | null } | null = null;
  private down: Down | null = null;
  private readonly backoff: RestartBackoff;
  private restartCount = 0;
  private _databaseId: string;
  private _lastSeq = 0;
  private _lastFlushMs = 0;
  private lanes: readonly UploadLaneStatus[] = [];
  private asides: readonly AsideStatus[] = [];
  private sweep: StorageSweep | null = null;
  private readonly writer: WriterHealth;
  private closing = false;
  private closed: Promise<void> | null = null;

  private constructor(
    private readonly opts: LogClientOptions,
    databaseId: string,
  ) {
    this._databaseId = databaseId;
    this.rows = new RowLedger(opts.storage.maxWaitingRows);
    this.backoff = new RestartBackoff(opts.restartDelaysMs ?? RESTART_DELAYS_MS, STABLE_MS);
    this.writer = new WriterHealth(opts.storage.maxWaitingRows);
  }

  static async start(opts: LogClientOptions): Promise<LogClient> {
    let client: LogClient | null = null;
    const { worker, databaseId } = await openLogWorker(opts, {
      onNote: (link, note) => client?.heard(link, note),
      onDeath: (link, reason) => client?.lost(link, reason),
    });
    client = new LogClient(opts, databaseId);
    client.worker = worker;
    return client;
  }

  /** The id of the database written (migration 7). */
  get databaseId(): string {
    return this._databaseId;
  }

  append(row: InspectionRow): void {
    if (this.closing) throw new LogWorkerError('the log is closed');
    if (this.down) return this.rows.hold(row);
    const queued = this.rows.queue(row);
    if (queued === null) return;
    if (queued >= POST_EVERY_ROWS) this.post();
    else this.schedule();
  }

  /** A kept image's write failed (image-keeper.ts): its row is written without it, or forgets it if written already. */
  imageNotKept(image: NotKeptImage): void {
    if (this.closing) return;
    if (this.notKept.add(image) && !this.down) this.schedule();
  }

  get rowsWritten(): number {
    return this.rows.rowsWritten;
  }

  /** Appended and neither on disk nor counted as not recorded or refused: waiting here, in flight, or in the worker's queue. */
  get pendingRows(): number {
    return this.rows.pendingRows;
  }

  /** Decided rows the log refused for what they held (not the storage's fault) since start: not written, never retried. */
  get rowsRejected(): number {
    return this.rows.rowsRejected;
  }

  /** Decided rows that could not be kept (the log failed and its queue was full, or no worker ran and the bound was reached), since start. */
  get notRecorded(): number {
    return this.rows.notRecorded;
  }

  /** Log workers started again since start. */
  get restarts(): number {
    return this.restartCount;
  }

  /** The writer's health: failing while commits fail or no worker runs, with the reason a technician reads. */
  writerStatus(): WriterStatus {
    return { ...this.writer.current(), ...(this.down ? { waitingRows: this.rows.heldRows } : {}), notRecorded: this.notRecorded };
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
    return this.listeners.committed.add(listener);
  }

  /** Told when the writer starts failing, and when it writes again (with what waited and what was lost). */
  onWriterChange(listener: (status: WriterStatus, recovery?: WriterRecovery) => void): () => void {
    return this.listeners.writer.add(listener);
  }

  /** Told when the log refuses rows for what they hold (inspection-log.ts): the rest of their batch was committed. */
  onRowsRejected(listener: (rows: readonly RejectedRowInfo[]) => void): () => void {
    return this.listeners.rejected.add(listener);
  }

  /** Told when the log worker stops without being asked, and when a new one runs. */
  onWorkerChange(listener: (change: LogWorkerChange) => void): () => void {
    return this.listeners.worker.add(listener);
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
        this.rows.dropWaiting();
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

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.post());
  }

  private post(): void {
    this.scheduled = false;
    if (this.down || !this.worker) return;
    const images = this.notKept.takeWaiting();
    if (images.length > 0) this.tell('imageNotKept', { images });
    const rows = this.rows.takeQueued();
    if (rows.length > 0) this.tell('append', { rows });
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
    this.rows.workerClosed();
  }

  /**
   * The worker is gone. Asked to close: what it had not committed is counted as not recorded. Otherwise the rows it held
   * uncommitted, and those not yet posted, wait here for the next worker (bounded), which starts after a backoff.
   */
  private lost(worker: Link, reason: string): void {
    if (worker !== this.worker) return;
    if (this.closing) return this.closedWorker(worker);
    this.worker = null;
    this.rows.workerLost();
    this.backoff.died();
    const now = new Date();
    this.down = { reason, since: now, notRecordedBefore: this.notRecorded, retryInMs: 0, timer: null, starting: null };
    this.scheduleRestart();
    this.writer.workerDown(reason, now, this.rows.heldRows);
    this.opts.onCommitFailed?.(reason);
    this.tellWorker('down');
    this.tellWriter();
  }

  private scheduleRestart(): void {
    const down = this.down!;
    down.retryInMs = this.backoff.nextDelayMs();
    down.timer = setTimeout(() => this.restart(down), down.retryInMs);
  }

  private restart(down: Down): void {
    down.timer = null;
    if (this.closing || this.down !== down) return;
    // Both outcomes are handled here: nothing of a failed start may reject unheard (it would end the process, Node 20).
    down.starting = openLogWorker(this.opts, { onNote: (link, note) => this.heard(link, note), onDeath: (link, reason) => this.lost(link, reason) }).then(
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
    this.backoff.started();
    this.writer.workerBack();
    if (this.cap) this.tell('cap', { maxBytes: this.cap.maxBytes });
    // Before the rows: the dead worker knew which of their images were never written, and that died with it.
    const images = this.notKept.takeForNewWorker();
    if (images.length > 0) this.tell('imageNotKept', { images, resent: true });
    const rows = this.rows.takeHeld();
    // resent: the dead worker may have committed some without saying so; the new one finds those in the file.
    if (rows.length > 0) this.tell('append', { rows, resent: true });
    this.post();
    this.tellWorker('back', down, rows.length);
    this.tellWriter();
  }

  private tellWorker(state: LogWorkerChange['state'], down: Down | null = this.down, rows = this.rows.heldRows): void {
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
    this.listeners.worker.tell(change);
  }

  private tellWriter(recovery?: WriterRecovery): void {
    const status = this.writerStatus();
    this.opts.onWriter?.(status, recovery);
    this.listeners.writer.tell(status, recovery);
  }

  private onMessage(m: LogNote): void {
    switch (m.type) {
      case 'committed':
        this.rows.committedThrough(m.rows, m.throughTicket);
        this._lastSeq = m.lastSeq;
        this._lastFlushMs = m.flushMs;
        this.listeners.committed.tell(m.rows, m.lastSeq);
        return;
      case 'refused':
        this.rows.refused(m.tickets);
        return;
      case 'rejected':
        this.rows.rejected(m.rows.map((r) => r.ticket));
        this.listeners.rejected.tell(m.rows);
        return;
      case 'present':
        this.rows.present(m.tickets);
        this.listeners.committed.tell(m.tickets.length, this._lastSeq);
        return;
      case 'commit-failed':
        return this.opts.onCommitFailed?.(m.message);
      case 'writer':
        if (this.writer.heard(m.status, m.recovery)) this.tellWriter(m.recovery);
        return;
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
