/**
 * The worker side of worker-link.ts: answers the handshake, each call (by
 * id, with its result or its failure) and each tell, and on close runs the
 * worker's own close and lets the thread end. A handler that throws fails
 * its call, never the worker.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { failureOf, Transferring, type CallKind, type FromWorker, type RpcProtocol, type TellKind, type ToWorker } from './rpc-protocol';

type Answer<T> = T | Transferring<T> | Promise<T | Transferring<T>>;

export interface WorkerHandlers<P extends RpcProtocol> {
  open(args: P['open']['args']): Answer<P['open']['result']>;
  readonly calls: { readonly [K in CallKind<P>]: (args: P['calls'][K]['args']) => Answer<P['calls'][K]['result']> };
  readonly tells?: { readonly [K in TellKind<P>]: (args: P['tells'][K]) => void };
  /** Releases what the worker holds; the thread ends after it, whatever it threw. */
  close?(): void | Promise<void>;
  /** One message at a time, in order: a call never overlaps the open or the close (a model session is not re-entrant). */
  readonly serial?: boolean;
}

export interface WorkerVoice<P extends RpcProtocol> {
  /** Says something unasked (progress, status); `transfer` moves buffers rather than copying them. */
  note(note: P['notes'], transfer?: readonly ArrayBuffer[]): void;
}

export function serveWorker<P extends RpcProtocol>(name: string, handlers: WorkerHandlers<P>): WorkerVoice<P> {
  if (!parentPort) throw new Error(`${name} must run as a worker thread`);
  const port: MessagePort = parentPort;
  const send = (m: FromWorker, transfer: readonly ArrayBuffer[] = []): void => port.postMessage(m, [...transfer]);
  const answer = async (run: () => Answer<unknown>): Promise<{ value: unknown; transfer: readonly ArrayBuffer[] }> => {
    const got = await run();
    return got instanceof Transferring ? { value: got.value, transfer: got.transfer } : { value: got, transfer: [] };
  };
  const calls = handlers.calls as Record<string, (args: unknown) => Answer<unknown>>;
  const tells = (handlers.tells ?? {}) as Record<string, (args: unknown) => void>;

  async function handle(m: ToWorker): Promise<void> {
    switch (m.rpc) {
      case 'open':
        try {
          const { value, transfer } = await answer(() => handlers.open(m.args));
          send({ rpc: 'opened', value }, transfer);
        } catch (err) {
          send({ rpc: 'open-failed', ...failureOf(err) });
        }
        return;
      case 'call': {
        const handler = calls[m.kind];
        try {
          if (!handler) throw new Error(`${name} has no call "${m.kind}"`);
          const { value, transfer } = await answer(() => handler(m.args));
          send({ rpc: 'result', id: m.id, value }, transfer);
        } catch (err) {
          send({ rpc: 'failed', id: m.id, ...failureOf(err) });
        }
        return;
      }
      case 'tell':
        try {
          tells[m.kind]?.(m.args);
        } catch {
          // A tell has no one to answer: the worker's own notes say what went wrong.
        }
        return;
      case 'close':
        try {
          await handlers.close?.();
        } catch {
          // The worker's close says what failed in it (a note); the thread ends all the same.
        } finally {
          port.close();
        }
        return;
    }
  }

  let queue: Promise<void> = Promise.resolve();
  port.on('message', (m: ToWorker) => {
    if (handlers.serial) queue = queue.then(() => handle(m));
    else void handle(m);
  });
  return { note: (note, transfer) => send({ rpc: 'note', note }, transfer) };
}
