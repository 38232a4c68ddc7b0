/**
 * The engine's handle on its log worker: rows appended here are gathered for
 * a moment and posted in one message; the worker commits them in batches and
 * says what is on disk. Nothing here blocks: an append is a push into an array.
 *
 * Nothing here throws at the line either (issue 11, item 3): while the
 * worker cannot commit, it keeps rows in memory up to storage.maxWaitingRows
 * and counts the rest; a worker that stopped, or one that stops answering
 * while rows pile up past a multiple of that bound, has further rows counted
 * here as not recorded rather than kept. The decisions themselves were made
 * and sent to the sorter before append().
 */
import { Worker } from 'node:worker_threads';
import type { StorageConfig, UploadConfig } from '../../../shared/storage-config';
import type { WorkerEntry } from '../inference/worker-entry';
import type { AsideStatus } from '../upload/aside-drain';
import type { UploadLaneStatus } from '../upload/uploader';
import type { InspectionRow, WriterRecovery, WriterStatus } from './inspection-log';
import type { FromLogWorker, StorageSweep, ToLogWorker } from './log-protocol';
import type { StorageFault } from './storage-fault';

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
}

/** Rows gathered before a message to the worker (and at most one tick's wait). */
const POST_EVERY_ROWS = 512;
/**
 * Rows in flight to a worker that does not answer, as a multiple of maxWaitingRows, before they are counted
 * as not recorded here: the worker keeps its own bound, so only a stuck worker lets this many pile up.
 */
const STUCK_WORKER_FACTOR = 4;

export class LogClient {
  private buffer: InspectionRow[] = [];
  private scheduled = false;
  private appended = 0;
  private committed = 0;
  /** Refused here: the worker stopped, or stopped answering. */
  private refusedHere = 0;
  private _lastSeq = 0;
  private _lastFlushMs = 0;
  private lanes: readonly UploadLaneStatus[] = [];
  private asides: readonly AsideStatus[] = [];
  private sweep: StorageSweep | null = null;
  private writer: WriterStatus;
  /** Set when the worker ended without being asked: why. */
  private workerGone: string | null = null;
  private readonly flushWaiters: (() => void)[] = [];
  private readonly commitListeners = new Set<(rows: number, lastSeq: number) => void>();
  private readonly writerListeners = new Set<(status: WriterStatus, recovery?: WriterRecovery) => void>();
  private closed: Promise<void> | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly opts: LogClientOptions,
    /** The id of the database written (migration 7). */
    readonly databaseId: string,
  ) {
    this.writer = {
      health: { state: 'ok', fault: null, since: null, failures: 0 },
      waitingRows: 0,
      maxWaitingRows: opts.storage.maxWaitingRows,
      notRecorded: 0,
    };
    worker.on('message', (m: FromLogWorker) => this.onMessage(m));
    // A worker that dies must not take the station with it: an unhandled 'error' on a Worker throws in this thread.
    worker.on('error', (err) => this.lost(`the log writer failed: ${err.message}`));
    worker.on('exit', (code) => {
      if (!this.closed) this.lost(`the log writer stopped (exit code ${code})`);
    });
  }

  static async start(opts: LogClientOptions): Promise<LogClient> {
    const worker = new Worker(opts.entry.file, { execArgv: [...opts.entry.execArgv] });
    const databaseId = await new Promise<string>((resolve, reject) => {
      const onMessage = (m: FromLogWorker): void => {
        if (m.type === 'opened') resolve(m.databaseId);
        else if (m.type === 'open-failed') reject(new LogWorkerError(`the log worker cannot open ${opts.databasePath}: ${m.message}`));
        else return;
        worker.off('message', onMessage);
      };
      worker.on('message', onMessage);
      worker.once('error', (err) => reject(new LogWorkerError(`the log worker failed to start: ${err.message}`)));
      const open: ToLogWorker = {
        type: 'open',
        databasePath: opts.databasePath,
        dataDir: opts.dataDir,
        stationId: opts.stationId,
        storage: opts.storage,
        upload: opts.upload,
      };
      worker.postMessage(open);
    }).catch(async (err: unknown) => {
      await worker.terminate();
      throw err;
    });
    return new LogClient(worker, opts, databaseId);
  }

  append(row: InspectionRow): void {
    if (this.closed) throw new LogWorkerError('the log is closed');
    this.appended++;
    const inFlight = this.pendingRows;
    if (this.workerGone !== null || inFlight > STUCK_WORKER_FACTOR * this.opts.storage.maxWaitingRows) {
      this.refusedHere++;
      return;
    }
    this.buffer.push(row);
    if (this.buffer.length >= POST_EVERY_ROWS) this.post();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.post());
    }
  }

  get rowsWritten(): number {
    return this.committed;
  }

  /** Appended and neither on disk nor counted as not recorded: waiting here, in flight, or in the worker's queue. */
  get pendingRows(): number {
    return this.appended - this.committed - this.notRecorded;
  }

  /** Decided rows that could not be kept (the log failed and its queue was full, or the writer stopped), since start. */
  get notRecorded(): number {
    return this.writer.notRecorded + this.refusedHere;
  }

  /** The writer's health: failing while commits fail, with the reason a technician reads. */
  writerStatus(): WriterStatus {
    return { ...this.writer, notRecorded: this.notRecorded };
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

  /** A new cap on the log file (storage.maxDatabaseBytes; null: none); what waited is tried at once. */
  setDatabaseCap(maxBytes: number | null): void {
    this.send({ type: 'cap', maxBytes });
  }

  /** Resolves once everything appended so far is committed, or the worker tried and could not. */
  flush(): Promise<void> {
    this.post();
    if (this.workerGone !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.flushWaiters.push(resolve);
      this.send({ type: 'flush' });
    });
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      if (this.workerGone !== null) return;
      this.post();
      const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
      this.send({ type: 'close' });
      await exited;
    })();
    return this.closed;
  }

  private post(): void {
    this.scheduled = false;
    if (this.buffer.length === 0) return;
    const rows = this.buffer;
    this.buffer = [];
    this.send({ type: 'append', rows });
  }

  private send(message: ToLogWorker): void {
    if (this.workerGone === null) this.worker.postMessage(message);
  }

  /** The worker is gone: what it held is lost, further rows are counted, and waiters are let go. */
  private lost(reason: string): void {
    if (this.workerGone !== null) return;
    this.workerGone = reason;
    this.refusedHere += Math.max(0, this.pendingRows);
    this.buffer = [];
    const fault: StorageFault = { kind: 'other', code: 'LOG_WORKER', message: `the log cannot be written: ${reason}` };
    this.writer = {
      ...this.writer,
      health: { state: 'failing', fault, since: new Date().toISOString(), failures: this.writer.health.failures + 1 },
      waitingRows: 0,
    };
    this.opts.onCommitFailed?.(reason);
    this.tellWriter();
    for (const resolve of this.flushWaiters.splice(0)) resolve();
  }

  private tellWriter(recovery?: WriterRecovery): void {
    const status = this.writerStatus();
    this.opts.onWriter?.(status, recovery);
    for (const l of this.writerListeners) l(status, recovery);
  }

  private onMessage(m: FromLogWorker): void {
    switch (m.type) {
      case 'committed':
        this.committed += m.rows;
        this._lastSeq = m.lastSeq;
        this._lastFlushMs = m.flushMs;
        for (const l of this.commitListeners) l(m.rows, m.lastSeq);
        return;
      case 'commit-failed':
        return this.opts.onCommitFailed?.(m.message);
      case 'writer': {
        const changed = m.status.health.state !== this.writer.health.state || m.recovery !== undefined;
        this.writer = m.status;
        if (changed) this.tellWriter(m.recovery);
        return;
      }
      case 'flushed':
        this.flushWaiters.shift()?.();
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
