/**
 * The engine's boundary: a request from any transport is checked against the
 * contract before it reaches a handler, and the answer is always a Result,
 * never a thrown error (errors lose everything but their message across IPC).
 */
import { isOperationName, operations, type ApiHandlers, type OperationName, type Result } from '../../../shared/contract';
import { describeZodError } from '../../../shared/zod-errors';

export interface BoundaryCounters {
  accepted: number;
  rejected: number;
  failed: number;
}

export function createBoundaryCounters(): BoundaryCounters {
  return { accepted: 0, rejected: 0, failed: 0 };
}

export async function dispatch(handlers: ApiHandlers, op: unknown, payload: unknown, counters: BoundaryCounters): Promise<Result<unknown>> {
  if (!isOperationName(op)) {
    counters.rejected++;
    return { ok: false, error: `unknown operation ${JSON.stringify(op)}` };
  }
  const parsed = operations[op].request.safeParse(payload ?? {});
  if (!parsed.success) {
    counters.rejected++;
    return { ok: false, error: `invalid request for ${op}: ${describeZodError(parsed.error)}` };
  }
  try {
    const handler = handlers[op] as (request: unknown) => unknown;
    const value = await handler(parsed.data);
    counters.accepted++;
    return { ok: true, value };
  } catch (err) {
    counters.failed++;
    return { ok: false, error: `${op as OperationName} failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}
