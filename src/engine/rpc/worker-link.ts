/**
 * The parent side of one worker thread, for every worker of the engine (the
 * inference, log, query and benchmark workers): the handshake, calls by id
 * with one promise each, tells, notes, the worker's death and its close,
 * written once. A worker that dies (an uncaught error, a native crash, an
 * exit nobody asked for) fails every call it held with the reason and is
 * told to `onDeath` once; what to do then (start another, fail the line's
 * frames) is the owner's.
 */
import { Worker } from 'node:worker_threads';
import type { WorkerEntry } from './worker-entry';
import type { CallKind, FromWorker, RpcProtocol, TellKind, ToWorker } from './rpc-protocol';

/** A call the worker failed, or could not answer because it died or was closed. */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    message: string,
    /** One sentence per problem, where the worker listed several. */
    readonly problems: readonly string[] = [message],
    /** The worker answered with this failure (false: it died or was closed first). */
    readonly answered = false,
  ) {
    super(message);
  }
}

export interface LinkOptions<P extends RpcProtocol> {
  /** For messages: "the log worker", "the inference worker". */
  readonly name: string;
  readonly onNote?: (note: P['notes']) => void;
  /** How an exit nobody asked for is said (default: "NAME stopped unexpectedly (exit code N)"). */
  readonly exitWords?: (code: number) => string;
  /** The worker ended without being asked to; told once, after every pending call has failed. */
  readonly onDeath?: (reason: string) => void;
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: Error) => void;
}

export class WorkerLink<P extends RpcProtocol> {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closing: Promise<void> | null = null;
  private deadBecause: string | null = null;
  /** The handshake was answered: a death from now on is told to onDeath. */
  private isOpen = false;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly opts: LinkOptions<P>,
  ) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (m: FromWorker) => this.onMessage(m));
    // An unhandled 'error' on a Worker throws in this thread: a worker that fails must not take the station with it.
    worker.on('error', (err) => this.died(`${opts.name} failed: ${err.message}`));
    worker.on('exit', (code) => this.died(opts.exitWords?.(code) ?? `${opts.name} stopped unexpectedly (exit code ${code})`));
  }

  /**
   * Starts the worker and opens it with `args`; resolves once it answered, with its answer. Rejects with an RpcError
   * (the worker's failure, with its problems, or its death while opening), the worker ended.
   */
  static async open<P extends RpcProtocol>(
    entry: WorkerEntry,
    args: P['open']['args'],
    opts: LinkOptions<P>,
    transfer: readonly ArrayBuffer[] = [],
  ): Promise<{ link: WorkerLink<P>; opened: P['open']['result'] }> {
    const worker = new Worker(entry.file, { execArgv: [...entry.execArgv] });
    const opened = new Promise<unknown>((resolve, reject) => {
      const onMessage = (m: FromWorker): void => {
        if (m.rpc === 'opened') resolve(m.value);
        else if (m.rpc === 'open-failed') reject(new RpcError(m.message, m.problems, true));
        else return;
        worker.off('message', onMessage);
      };
      worker.on('message', onMessage);
      worker.once('error', (err) => reject(new RpcError(`${opts.name} failed to start: ${err.message}`)));
      worker.once('exit', (code) => reject(new RpcError(`${opts.name} stopped while opening (exit code ${code})`)));
    });
    // Notes are heard from the start, so none said while opening is lost; a death while opening fails the open instead.
    const link = new WorkerLink<P>(worker, opts);
    link.post({ rpc: 'open', args }, transfer);
    try {
      const value = await opened;
      link.isOpen = true;
      return { link, opened: value as P['open']['result'] };
    } catch (err) {
      await link.end();
      throw err;
    }
  }

  /** Calls the worker; rejects with RpcError when it fails the call, dies or is closed before answering. */
  call<K extends CallKind<P>>(kind: K, args: P['calls'][K]['args'], transfer: readonly ArrayBuffer[] = []): Promise<P['calls'][K]['result']> {
    if (this.deadBecause !== null) return Promise.reject(new RpcError(this.deadBecause));
    if (this.closing) return Promise.reject(new RpcError(`${this.opts.name} is closed`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ rpc: 'call', id, kind, args }, transfer);
    });
  }

  /** A message the worker does not answer; dropped once it is dead or closing. */
  tell<K extends TellKind<P>>(kind: K, args: P['tells'][K], transfer: readonly ArrayBuffer[] = []): void {
    if (this.deadBecause === null && !this.closing) this.post({ rpc: 'tell', kind, args }, transfer);
  }

  get alive(): boolean {
    return this.deadBecause === null && !this.closing;
  }

  /** Calls sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Asks the worker to release what it holds and end, and resolves once it has; notes it sends meanwhile are still heard.
   * Calls still pending fail at once (their answers are not waited for); past `graceMs` the worker is terminated.
   */
  close(graceMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.closing ??= (async () => {
      this.failAll(`${this.opts.name} closed`);
      if (this.deadBecause === null) {
        this.post({ rpc: 'close' });
        let timer: NodeJS.Timeout | undefined;
        const late = Number.isFinite(graceMs) ? new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), graceMs))) : new Promise<never>(() => {});
        if ((await Promise.race([this.exited, late])) === 'late') await this.worker.terminate();
        clearTimeout(timer);
      }
    })();
    return this.closing;
  }

  /** Ends the worker at once (it failed to open, or a caller gave up on it). */
  async end(): Promise<void> {
    this.closing ??= Promise.resolve();
    this.failAll(`${this.opts.name} ended`);
    await this.worker.terminate().catch(() => undefined);
  }

  private post(m: ToWorker, transfer: readonly ArrayBuffer[] = []): void {
    try {
      this.worker.postMessage(m, [...transfer]);
    } catch (err) {
      // A worker that has just ended: its death is on its way and fails what was pending.
      if (m.rpc === 'call') this.settle(m.id)?.reject(new RpcError(`${this.opts.name} cannot be reached: ${(err as Error).message}`));
    }
  }

  private onMessage(m: FromWorker): void {
    switch (m.rpc) {
      case 'result':
        this.settle(m.id)?.resolve(m.value);
        return;
      case 'failed':
        this.settle(m.id)?.reject(new RpcError(m.message, m.problems, true));
        return;
      case 'note':
        this.opts.onNote?.(m.note as P['notes']);
        return;
      default:
        return; // the handshake's answers, heard by open()
    }
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    return p;
  }

  private died(reason: string): void {
    if (this.deadBecause !== null) return;
    this.deadBecause = reason;
    this.failAll(reason);
    if (this.isOpen && !this.closing) this.opts.onDeath?.(reason);
  }

  private failAll(reason: string): void {
    for (const p of this.pending.values()) p.reject(new RpcError(reason));
    this.pending.clear();
  }
}
