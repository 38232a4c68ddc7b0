/**
 * The LineSight API over the headless station's WebSocket: the same typed
 * operations and events as the Electron preload, so the pages cannot tell
 * which one they have. Reconnects with capped backoff.
 *
 * A station bound beyond loopback refuses a socket without its token (HTTP
 * 401), but a browser cannot read why an upgrade failed: it only sees the
 * socket close. So before the first socket, and whenever a socket closes
 * without ever opening, the page asks the station (GET /api/access) whether
 * the token is what keeps it out. If so the connection waits in
 * 'needs-token' (none offered) or 'token-refused' (the one offered is not
 * this station's) for the person to give one, instead of retrying and
 * calling it a lost connection.
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
import type { StationAccessAnswer } from '../../../shared/access-config';
import { buildApi } from '../../../shared/api-client';
import { decodeMessage, encodeMessage, eventsOf, ServerMessageSchema } from '../../../shared/wire';

export type ConnectionState = 'connecting' | 'open' | 'closed' | 'needs-token' | 'token-refused';

/** The connection as the UI sees it, over either transport. */
export interface StationConnection {
  readonly state: ConnectionState;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Connects again with this access token (the person pasted it). Absent where no token is ever needed (IPC). */
  offerToken?(token: string): void;
}

/** Where the station is, for a given access token. */
export interface StationEndpoint {
  socketUrl(token: string | null): string;
  /** Whether the station wants a token and takes this one; null when it cannot tell (unreachable, or a station that does not answer the question). */
  checkAccess(token: string | null): Promise<StationAccessAnswer | null>;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export interface WebSocketApi extends LineSightApi, StationConnection {
  offerToken(token: string): void;
  close(): void;
}

/** What a request gets while the station keeps this page out for want of its token. */
export const TOKEN_NEEDED_MESSAGE = 'the station needs its access token';

const REQUEST_TIMEOUT_MS = 10_000;
/** Loading a large model, or writing a CSV of 200,000 rows, takes longer than a question about the line. */
const SLOW_OPS: ReadonlySet<OperationName> = new Set([
  'importModel',
  'activateModel',
  // A recipe switch loads its model, as an activation does.
  'switchRecipe',
  'rollbackModel',
  'exportInspections',
  'getScoreSample',
  'inspectLabelledFolder',
  'cancelTeaching',
]);
const SLOW_TIMEOUT_MS = 180_000;
/**
 * A calibration scores every picture of its folder through the line's path, and an INT8 variant measures ranges on up
 * to 5,000 frames and is then imported: minutes for tens of thousands of pictures (both can be cancelled).
 */
const LONG_RUN_TIMEOUT_MS = 60 * 60_000;
const HOUR_LONG_OPS: ReadonlySet<OperationName> = new Set(['calibrateModel', 'quantizeModel']);
const timeoutFor = (op: OperationName): number => (HOUR_LONG_OPS.has(op) ? LONG_RUN_TIMEOUT_MS : SLOW_OPS.has(op) ? SLOW_TIMEOUT_MS : REQUEST_TIMEOUT_MS);

/** A plain URL: no access checks (a station on loopback, tests). */
const fixedEndpoint = (url: string): StationEndpoint => ({ socketUrl: () => url, checkAccess: () => Promise.resolve(null) });

const keptOut = (state: ConnectionState): boolean => state === 'needs-token' || state === 'token-refused';

export function createWebSocketApi(where: string | StationEndpoint, initialToken: string | null = null): WebSocketApi {
  const endpoint = typeof where === 'string' ? fixedEndpoint(where) : where;
  let token = initialToken;
  let socket: WebSocket | null = null;
  let state: ConnectionState = 'connecting';
  let nextId = 1;
  let retryMs = 250;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let closedByUs = false;
  // Bumped when a new token is offered: answers and closes that belong to the attempt before are ignored.
  let attempt = 0;
  const pending = new Map<number, Pending>();
  const outbox: (string | Uint8Array<ArrayBuffer>)[] = [];
  const eventListeners = new Map<EventName, Set<(payload: never) => void>>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();

  const setState = (next: ConnectionState): void => {
    state = next;
    connectionListeners.forEach((l) => l(next));
  };

  const failPending = (message: string): void => {
    for (const p of pending.values()) p.reject(new ApiError(message));
    pending.clear();
    outbox.length = 0;
  };

  /** True when the station says the token is what keeps this page out; the state says which way. */
  const keptOutByToken = async (): Promise<boolean> => {
    const answer = await endpoint.checkAccess(token);
    if (!answer || !answer.tokenRequired || answer.tokenAccepted) return false;
    failPending(TOKEN_NEEDED_MESSAGE);
    setState(token ? 'token-refused' : 'needs-token');
    return true;
  };

  const retryLater = (): void => {
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect();
    }, retryMs);
    retryMs = Math.min(retryMs * 2, 5000);
  };

  /** Asks first whether the token is welcome, so that a page without it never opens a socket only to be refused. */
  const begin = async (): Promise<void> => {
    const mine = attempt;
    setState('connecting');
    if ((await keptOutByToken()) || mine !== attempt || closedByUs) return;
    connect();
  };

  function connect(): void {
    const mine = attempt;
    const ws = new WebSocket(endpoint.socketUrl(token));
    ws.binaryType = 'arraybuffer';
    socket = ws;
    let opened = false;
    setState('connecting');
    ws.onopen = () => {
      opened = true;
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
      if (socket === ws) socket = null;
      if (mine !== attempt) return;
      for (const p of pending.values()) p.reject(new ApiError('connection to the station lost'));
      pending.clear();
      if (closedByUs) {
        setState('closed');
        return;
      }
      if (opened) {
        setState('closed');
        retryLater();
        return;
      }
      // Never opened: refused (a token the station restarted without, say) or not there at all.
      void keptOutByToken().then((out) => {
        if (out || mine !== attempt || closedByUs) return;
        setState('closed');
        retryLater();
      });
    };
  }

  const request = <K extends OperationName>(op: K, payload: RequestOf<K>): Promise<ReplyOf<K>> =>
    new Promise<ReplyOf<K>>((resolve, reject) => {
      if (keptOut(state)) {
        reject(new ApiError(TOKEN_NEEDED_MESSAGE));
        return;
      }
      const id = nextId++;
      const timeoutMs = timeoutFor(op);
      const timer = setTimeout(() => {
        if (pending.delete(id)) reject(new ApiError(`no answer from the station within ${timeoutMs / 1000} s`));
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

  void begin();

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
    offerToken(next: string) {
      if (closedByUs) return;
      attempt++;
      token = next;
      retryMs = 250;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      socket?.close();
      socket = null;
      void begin();
    },
    close() {
      closedByUs = true;
      if (retryTimer) clearTimeout(retryTimer);
      socket?.close();
    },
  };
}
