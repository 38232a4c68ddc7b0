/**
 * The engine's handle on its query worker: one promise per query, answered
 * in the worker's own time. A worker that dies fails what it held and is
 * started again at the next query, so a bad query never takes the UI down.
 */
import { Worker } from 'node:worker_threads';
import type { WorkerEntry } from '../inference/worker-entry';
import type { FromQueryWorker, QueryCalls, QueryKind, ToQueryWorker } from './query-protocol';

export class QueryError extends Error {
  override readonly name = 'QueryError';
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export class QueryClient {
  private worker: Worker | null = null;
  private opening: Promise<Worker> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(
    private readonly entry: WorkerEntry,
    private readonly databasePath: string,
  ) {}

  call<K extends QueryKind>(kind: K, args: QueryCalls[K]['args']): Promise<QueryCalls[K]['result']> {
    if (this.closed) return Promise.reject(new QueryError('the station is stopping'));
    return this.ensure().then(
      (worker) =>
        new Promise<QueryCalls[K]['result']>((resolve, reject) => {
          const id = this.nextId++;
          this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
          worker.postMessage({ type: 'call', id, kind, args } satisfies ToQueryWorker);
        }),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker ?? (await this.opening?.catch(() => null)) ?? null;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'close' } satisfies ToQueryWorker);
    await exited;
  }

  private ensure(): Promise<Worker> {
    if (this.worker) return Promise.resolve(this.worker);
    this.opening ??= new Promise<Worker>((resolve, reject) => {
      const worker = new Worker(this.entry.file, { execArgv: [...this.entry.execArgv] });
      const onFirst = (m: FromQueryWorker): void => {
        worker.off('message', onFirst);
        if (m.type === 'opened') {
          this.worker = worker;
          worker.on('message', (msg: FromQueryWorker) => this.onMessage(msg));
          resolve(worker);
        } else if (m.type === 'open-failed') {
          worker.terminate().catch(() => undefined); // a rejection left unhandled would end the process (Node 20)
          reject(new QueryError(`cannot read the log: ${m.message}`));
        }
      };
      worker.on('message', onFirst);
      worker.once('error', (err) => this.onDeath(`the query worker failed: ${err.message}`, reject));
      worker.once('exit', (code) => {
        if (!this.closed) this.onDeath(`the query worker exited (code ${code})`, reject);
      });
      worker.postMessage({ type: 'open', databasePath: this.databasePath } satisfies ToQueryWorker);
    }).finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  private onMessage(m: FromQueryWorker): void {
    if (m.type !== 'result' && m.type !== 'failed') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.type === 'result') p.resolve(m.value);
    else p.reject(new QueryError(m.message));
  }

  private onDeath(message: string, rejectOpening: (err: Error) => void): void {
    this.worker = null;
    rejectOpening(new QueryError(message));
    for (const p of this.pending.values()) p.reject(new QueryError(message));
    this.pending.clear();
  }
}
