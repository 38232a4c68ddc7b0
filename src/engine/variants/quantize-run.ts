/**
 * One quantisation in the quantise worker (quantize-worker.ts), from the
 * caller's side: the worker opened, progress passed on, a cancel by message
 * and by a shared flag (the measuring loop may not get to the message before
 * its next batch), the worker closed whatever the end.
 */
import type { WorkerEntry } from '../rpc/worker-entry';
import { RpcError, WorkerLink } from '../rpc/worker-link';
import type { QuantizeJob, QuantizeProtocol, QuantizeWorkerResult, QuantizeWorkerStage } from './quantize-protocol';

export class QuantizeCancelled extends Error {
  override readonly name = 'QuantizeCancelled';
  constructor() {
    super('it was cancelled: no variant was added to the registry');
  }
}

export interface QuantizeRunRequest {
  readonly job: Omit<QuantizeJob, 'cancelFlag'>;
  readonly entry: WorkerEntry;
  readonly onProgress?: (stage: QuantizeWorkerStage, done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export async function runQuantize(req: QuantizeRunRequest): Promise<QuantizeWorkerResult> {
  if (req.signal?.aborted) throw new QuantizeCancelled();
  const { link } = await WorkerLink.open<QuantizeProtocol>(req.entry, null, {
    name: 'the quantise worker',
    onNote: (n) => req.onProgress?.(n.stage, n.done, n.total),
  });
  const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
  const onAbort = (): void => {
    Atomics.store(cancelFlag, 0, 1);
    link.tell('cancel', null);
  };
  req.signal?.addEventListener('abort', onAbort);
  if (req.signal?.aborted) onAbort();
  try {
    return await link.call('quantize', { ...req.job, cancelFlag: cancelFlag.buffer as SharedArrayBuffer });
  } catch (err) {
    if (req.signal?.aborted) throw new QuantizeCancelled();
    throw err instanceof RpcError ? new Error(err.message) : err;
  } finally {
    req.signal?.removeEventListener('abort', onAbort);
    await link.close();
  }
}
