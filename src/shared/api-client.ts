/**
 * Builds the renderer's LineSightApi from one request function and one event
 * subscription, whatever carries them (the preload's IPC, the station's
 * WebSocket), so that an operation added to the contract appears in both
 * transports at once. Imports only channels.ts at run time: the sandboxed
 * preload bundles this without zod.
 */
import { OPERATION_NAMES, type OperationName } from './channels';
import type { LineSightApi, ReplyOf, RequestOf } from './contract';

export type Requester = <K extends OperationName>(op: K, payload: RequestOf<K>) => Promise<ReplyOf<K>>;

export function buildApi(request: Requester, on: LineSightApi['on']): LineSightApi {
  const operations = Object.fromEntries(OPERATION_NAMES.map((op) => [op, (payload: RequestOf<typeof op>) => request(op, payload)]));
  // One entry per name in OPERATION_NAMES, which contract.ts checks against its schemas.
  return { ...(operations as { [K in OperationName]: LineSightApi[K] }), on };
}
