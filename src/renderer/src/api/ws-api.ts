/**
 * The LineSight API over the headless station's WebSocket: the same typed
 * operations and events as the Electron preload, so the pages cannot tell
 * which one they have. Reconnects with capped backoff.
 */
import {
  ApiError,
  isEventName,
  type EventName,
  type EventPayload,
  type LineSightApi,
  type OperationName,
  type ReplyOf,
  type RequestOf,
} from '../../../shared/contract';
import { buildApi } from '../../../shared/api-client';
import { decodeMessage, encodeMessage, eventsOf, ServerMessageSchema } from '../../../shared/wire';

export type ConnectionState = 'connecting' | 'open' | 'closed';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export interface WebSocketApi extends LineSightApi {
  readonly state: ConnectionState;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}

const REQUEST_TIMEOUT_MS = 10_000;
/** Loading a large model, or writing a CSV of 200,000 rows, takes longer than a question about the line. */
const SLOW_OPS: ReadonlySet<OperationName> = new Set(['importModel', 'activateModel', 'rollbackModel', 'exportInspections', 'getScoreSample']);
const SLOW_TIMEOUT_MS = 180_000;

export function createWebSocketApi(url: string): WebSocketApi {
  let socket: WebSocket | null = null;
  let state: ConnectionState = 'connecting';
  let nextId = 1;
  let retryMs = 250;
  let closedByUs = false;
  const pending = new Map<number, Pending>();
  const outbox: (string | Uint8Array<ArrayBuffer>)[] = [];
  const eventListeners = new Map<EventName, Set<(payload: never) => void>>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();

  const setState = (next: ConnectionState): void => {
    state = next;
    connectionListeners.forEach((l) => l(next));
  };

  const connect = (): void => {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    socket = ws;
    setState('connecting');
    ws.onopen = () => {
      retryMs = 250;
      setState('open');
      for (const m of outbox.splice(0)) ws.send(m);
    };
    ws.onmessage = (ev: MessageEvent<string | ArrayBuffer>) => {
      const raw = typeof ev.data === 'string' ? ev.data : new Uint8Array(ev.data);
      const parsed = ServerMessageSchema.safeParse(decodeMessage(raw));
      if (!parsed.success) return;
      const msg = parsed.data;
      if (msg.kind === 'reply') {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        if (msg.result.ok) p.resolve(msg.result.value);
        else p.reject(new ApiError(msg.result.error));
        return;
      }
      for (const { event, payload } of eventsOf(msg)) {
        if (isEventName(event)) eventListeners.get(event)?.forEach((l) => l(payload as never));
      }
    };
    ws.onclose = () => {
      socket = null;
      for (const p of pending.values()) p.reject(new ApiError('connection to the station lost'));
      pending.clear();
      setState('closed');
      if (closedByUs) return;
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  };

  const request = <K extends OperationName>(op: K, payload: RequestOf<K>): Promise<ReplyOf<K>> =>
    new Promise<ReplyOf<K>>((resolve, reject) => {
      const id = nextId++;
      const timeoutMs = SLOW_OPS.has(op) ? SLOW_TIMEOUT_MS : REQUEST_TIMEOUT_MS;
      const timer = setTimeout(() => {
        if (pending.delete(id)) reject(new ApiError(`${op}: no answer from the station within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as ReplyOf<K>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      const message = encodeMessage({ kind: 'request', id, op, payload });
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(message);
      else outbox.push(message);
    });

  connect();

  const on = <E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): (() => void) => {
    let set = eventListeners.get(event);
    if (!set) eventListeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  };

  return {
    ...buildApi(request, on),
    get state() {
      return state;
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
    close() {
      closedByUs = true;
      socket?.close();
    },
  };
}
