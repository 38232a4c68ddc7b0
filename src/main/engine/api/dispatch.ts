/**
 * The engine's boundary: a request from any transport is checked against the
 * contract before it reaches a handler (the operation exists, the payload
 * parses, the caller's role may ask it), and the answer is always a Result,
 * never a thrown error (errors lose everything but their message across IPC).
 */
import { isOperationName, operations, type ApiHandlers, type Caller, type OperationName, type Result } from '../../../shared/contract';
import { describeZodError } from '../../../shared/zod-errors';

export interface BoundaryCounters {
  accepted: number;
  /** Unknown operation, invalid payload, untrusted sender, bad token. */
  rejected: number;
  /** A technician's operation asked by an operator. */
  denied: number;
  failed: number;
}

export function createBoundaryCounters(): BoundaryCounters {
  return { accepted: 0, rejected: 0, denied: 0, failed: 0 };
}

export async function dispatch(handlers: ApiHandlers, op: unknown, payload: unknown, counters: BoundaryCounters, caller: Caller): Promise<Result<unknown>> {
  if (!isOperationName(op)) {
    counters.rejected++;
    return { ok: false, error: `unknown operation ${JSON.stringify(op)}` };
  }
  const contract = operations[op];
  const parsed = contract.request.safeParse(payload ?? {});
  if (!parsed.success) {
    counters.rejected++;
    return { ok: false, error: `invalid request for ${op}: ${describeZodError(parsed.error)}` };
  }
  if (contract.access === 'technician') {
    if (caller.role !== 'technician') {
      counters.denied++;
      return { ok: false, error: `${op} needs a technician: sign in with your PIN first` };
    }
    caller.touch();
  }
  try {
    const handler = handlers[op] as (request: unknown, caller: Caller) => unknown;
    const value = await handler(parsed.data, caller);
    counters.accepted++;
    return { ok: true, value };
  } catch (err) {
    counters.failed++;
    return { ok: false, error: `${op as OperationName} failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}
