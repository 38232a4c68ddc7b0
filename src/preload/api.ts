/**
 * The typed API the renderer sees inside Electron: one function per
 * operation of the contract, and `on` for events. Never ipcRenderer itself.
 * The engine answers every request with a Result; an { ok: false } becomes a
 * rejected promise with the engine's message.
 *
 * Imports only channels.ts (no zod): a sandboxed preload is one small bundle.
 */
import { ipcChannel, type EventName, type OperationName } from '../shared/channels';
import { buildApi } from '../shared/api-client';
import type { EventPayload, LineSightApi, ReplyOf, RequestOf, Result } from '../shared/contract';

/** The part of ipcRenderer the preload uses (the real one, or a fake in tests). */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

function isResult(value: unknown): value is Result<unknown> {
  return typeof value === 'object' && value !== null && 'ok' in value && typeof value.ok === 'boolean';
}

export function createPreloadApi(ipc: IpcRendererLike): LineSightApi {
  const request = async <K extends OperationName>(op: K, payload: RequestOf<K>): Promise<ReplyOf<K>> => {
    const result = await ipc.invoke(ipcChannel.request(op), payload);
    if (!isResult(result)) throw new Error(`${op}: the engine sent no valid answer`);
    if (!result.ok) throw new Error(result.error);
    return result.value as ReplyOf<K>;
  };
  const on = <E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): (() => void) => {
    const channel = ipcChannel.event(event);
    // The IPC event object (it holds the sender) never reaches the page.
    const wrapped = (_event: unknown, payload: unknown): void => listener(payload as EventPayload<E>);
    ipc.on(channel, wrapped);
    return () => void ipc.removeListener(channel, wrapped);
  };
  return buildApi(request, on);
}
