/**
 * One way to talk to a worker thread (issue 13): each worker's protocol is a
 * type written once — how it opens, the calls it answers, the messages it is
 * told without an answer, and the notes it sends unasked — and the wire
 * messages below carry any of them. The parent side is worker-link.ts, the
 * worker side serve-worker.ts.
 */

/** A call: what it takes and what it gives. */
export interface CallSpec {
  readonly args: unknown;
  readonly result: unknown;
}

export interface RpcProtocol {
  /** The handshake: what the worker is opened with, and what it answers once open. */
  readonly open: CallSpec;
  readonly calls: Record<string, CallSpec>;
  /** One-way messages to the worker, by kind: their argument. */
  readonly tells: Record<string, unknown>;
  /** What the worker says unasked (progress, status): one union. */
  readonly notes: unknown;
}

export type CallKind<P extends RpcProtocol> = keyof P['calls'] & string;
export type TellKind<P extends RpcProtocol> = keyof P['tells'] & string;

/** Why something failed in the worker: its message, and one sentence per problem where there are several. */
export interface RpcFailure {
  readonly message: string;
  readonly problems: readonly string[];
}

export type ToWorker =
  | { readonly rpc: 'open'; readonly args: unknown }
  | { readonly rpc: 'call'; readonly id: number; readonly kind: string; readonly args: unknown }
  | { readonly rpc: 'tell'; readonly kind: string; readonly args: unknown }
  /** Release what it holds and let the thread end by itself (terminating a thread inside ONNX Runtime can abort the process). */
  | { readonly rpc: 'close' };

export type FromWorker =
  | { readonly rpc: 'opened'; readonly value: unknown }
  | ({ readonly rpc: 'open-failed' } & RpcFailure)
  | { readonly rpc: 'result'; readonly id: number; readonly value: unknown }
  | ({ readonly rpc: 'failed'; readonly id: number } & RpcFailure)
  | { readonly rpc: 'note'; readonly note: unknown };

/** A value sent with the buffers to move (not copy) to the other side. */
export class Transferring<T> {
  constructor(
    readonly value: T,
    readonly transfer: readonly ArrayBuffer[],
  ) {}
}

export const transferring = <T>(value: T, transfer: readonly ArrayBuffer[]): Transferring<T> => new Transferring(value, transfer);

/** The failure of an error: its message, and its problems when it lists them (model-prep/model-problems.ts). */
export function failureOf(err: unknown): RpcFailure {
  const message = err instanceof Error ? err.message : String(err);
  const listed = (err as { problems?: unknown } | null)?.problems;
  const problems = Array.isArray(listed) && listed.every((p) => typeof p === 'string') ? (listed as string[]) : [message];
  return { message, problems };
}
