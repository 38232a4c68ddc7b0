/**
 * The engine's handle on its log worker: rows appended here are gathered for
 * a moment and posted in one message; the worker commits them in batches and
 * says what is on disk. Nothing here blocks: an append is a push into an array.
 */
import { Worker } from 'node:worker_threads';
import type { StorageConfig, UploadConfig } from '../../../shared/storage-config';
import type { WorkerEntry } from '../inference/worker-entry';
import type { UploadLaneStatus } from '../upload/uploader';
import type { InspectionRow } from './inspection-log';
import type { FromLogWorker, StorageSweep, ToLogWorker } from './log-protocol';

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
}

/** Rows gathered before a message to the worker (and at most one tick's wait). */
const POST_EVERY_ROWS = 512;

export class LogClient {
  private buffer: InspectionRow[] = [];
  private scheduled = false;
  private appended = 0;
  private committed = 0;
  private _lastSeq = 0;
  private _lastFlushMs = 0;
  private lanes: readonly UploadLaneStatus[] = [];
  private sweep: StorageSweep | null = null;
  private readonly flushWaiters: (() => void)[] = [];
  private readonly commitListeners = new Set<(rows: number, lastSeq: number) => void>();
  private closed: Promise<void> | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly opts: LogClientOptions,
  ) {
    worker.on('message', (m: FromLogWorker) => this.onMessage(m));
  }

  static async start(opts: LogClientOptions): Promise<LogClient> {
    const worker = new Worker(opts.entry.file, { execArgv: [...opts.entry.execArgv] });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: FromLogWorker): void => {
        if (m.type === 'opened') resolve();
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
    return new LogClient(worker, opts);
  }

  append(row: InspectionRow): void {
    if (this.closed) throw new LogWorkerError('the log is closed');
    this.buffer.push(row);
    this.appended++;
    if (this.buffer.length >= POST_EVERY_ROWS) this.post();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.post());
    }
  }

  get rowsWritten(): number {
    return this.committed;
  }

  /** Appended and not yet on disk. */
  get pendingRows(): number {
    return this.appended - this.committed;
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

  storageStatus(): StorageSweep | null {
    return this.sweep;
  }

  /** Told after every commit: how many rows, and the seq of the last. */
  onCommitted(listener: (rows: number, lastSeq: number) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** Resolves once everything appended so far is committed. */
  flush(): Promise<void> {
    this.post();
    return new Promise((resolve) => {
      this.flushWaiters.push(resolve);
      this.send({ type: 'flush' });
    });
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
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
    this.worker.postMessage(message);
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
      case 'flushed':
        this.flushWaiters.shift()?.();
        return;
      case 'upload':
        this.lanes = m.lanes;
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
