/**
 * The headless station's server: the built UI, GET /api/status, and the
 * WebSocket bridge that carries the same typed operations and events as IPC.
 *
 * Binds to 127.0.0.1 unless configured otherwise; bound to any other address
 * it asks every client for the station's token (client-access.ts). Every
 * request must name the station in its Host (and, from a browser, come from
 * the station's own page: host-policy.ts). Each WebSocket is a session of its
 * own: an operator (read-only) until a technician signs in on it. Events are
 * encoded once and sent to every client in batches (event-broadcast.ts); a
 * client that cannot keep up misses live events (never replies), so a slow
 * browser never slows the line.
 *
 * Whatever a client sends ends at most its own connection (issue 11): a
 * malformed or oversized frame closes that socket only; requests are rate-
 * and count-limited per client and for all of them together, and a client
 * that does not read its replies is closed (request-gate.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import pLimit from 'p-limit';
import sirv from 'sirv';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { BROADCAST_EVENTS, type ApiHandlers, type OperationName } from '../shared/contract';
import type { ServerConfig } from '../shared/access-config';
import { ClientMessageSchema, decodeMessage, encodeMessage, type ServerMessage } from '../shared/wire';
import { dispatch, type BoundaryCounters } from '../main/engine/api/dispatch';
import type { StationEngine } from '../main/engine/station-engine';
import { ClientAccess } from './client-access';
import { COSTLY_AT_ONCE, COSTLY_OPERATIONS } from './costly-operations';
import { EventBroadcast } from './event-broadcast';
import { HostPolicy } from './host-policy';
import { DEFAULT_GATE_LIMITS, RequestGate } from './request-gate';
import { regularFilesUnder, routeStatic } from './static-files';
import { TokenBucket } from './token-bucket';

/** The largest request a client may send: requests are small JSON (a PIN, thresholds, a filter). Deliberately far below ws's 100 MiB default. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** Requests answered per second for all WebSocket clients together, whatever each may ask. */
const ALL_CLIENTS_REQUESTS_PER_S = 400;
/** GET /api/status per second, per client address (a monitoring script asks once a second or so; tests poll at 20). */
const STATUS_REQUESTS_PER_S = 50;
/** Client addresses remembered for the /api rate; the oldest is forgotten past it. */
const MAX_TRACKED_ADDRESSES = 1024;
/** Open TCP connections of any kind (HTTP and WebSocket). */
const MAX_CONNECTIONS = 256;
/** How often every client's unread replies are looked at. */
const BACKLOG_CHECK_MS = 1000;
/** Unread replies of all clients together; past it, the client holding the most is closed. */
const ALL_CLIENTS_UNREAD_BYTES = 256 * 1024 * 1024;

export interface StationServer {
  readonly port: number;
  readonly url: string;
  readonly counters: BoundaryCounters;
  /** Live events not sent to a client that was behind. */
  readonly skippedEvents: () => number;
  close(): Promise<void>;
}

const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);

function machineAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
}

/** The request's path, decoded; null when it cannot be (a malformed escape, a NUL). */
function pathOf(req: IncomingMessage): string | null {
  try {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://station').pathname);
    return path.includes('\0') ? null : path;
  } catch {
    return null;
  }
}

function answer(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/** Per client address, a bucket for /api requests; the map is bounded, the oldest forgotten. */
class AddressRates {
  private readonly buckets = new Map<string, TokenBucket>();
  constructor(private readonly perS: number) {}
  take(address: string, now: number): boolean {
    let bucket = this.buckets.get(address);
    if (!bucket) {
      if (this.buckets.size >= MAX_TRACKED_ADDRESSES) this.buckets.delete(this.buckets.keys().next().value!);
      this.buckets.set(address, (bucket = new TokenBucket(this.perS, this.perS * 2, now)));
    }
    return bucket.take(now);
  }
}

export async function startStationServer(opts: {
  readonly engine: StationEngine;
  readonly handlers: ApiHandlers;
  readonly rendererDir: string;
  readonly server: ServerConfig;
  readonly port: number;
}): Promise<StationServer> {
  const { engine, handlers } = opts;
  const counters = engine.apiCounters;
  const transport = engine.transportCounters;
  const access = new ClientAccess(opts.server);
  const hosts = new HostPolicy({
    allowedHosts: opts.server.allowedHosts,
    machineName: hostname(),
    boundHost: opts.server.host,
    machineAddresses: machineAddresses(),
  });
  const uiFiles = regularFilesUnder(opts.rendererDir);
  const serveUi = sirv(opts.rendererDir, { single: true, etag: true, dev: false });
  const statusRates = new AddressRates(STATUS_REQUESTS_PER_S);

  /** Host names the station (and a browser's Origin is the station's page): else the request is refused, counted. */
  const admitsHost = (req: IncomingMessage, checkOrigin: boolean): boolean => {
    if (hosts.allowsHost(req.headers.host) && (!checkOrigin || hosts.allowsOrigin(req.headers.origin, req.headers.host))) return true;
    transport.refusedHosts++;
    return false;
  };

  const server: Server = createServer((req, res) => {
    const path = pathOf(req);
    if (path === null) {
      counters.rejected++;
      return answer(res, 400, { error: 'the address is not valid' });
    }
    if (!admitsHost(req, path.startsWith('/api/'))) {
      return answer(res, 403, { error: `this station does not answer to the host "${req.headers.host ?? ''}": add it to server.allowedHosts` });
    }
    if (path.startsWith('/api/')) {
      if (!access.admits(req)) {
        counters.rejected++;
        return answer(res, 401, { error: 'this station needs its token: add ?token=… or an Authorization: Bearer header' }, { 'www-authenticate': 'Bearer' });
      }
      if (!statusRates.take(req.socket.remoteAddress ?? 'unknown', performance.now())) {
        transport.throttled++;
        return answer(res, 429, { error: `at most ${STATUS_REQUESTS_PER_S} requests a second` }, { 'retry-after': '1' });
      }
      if (path === '/api/status' && req.method === 'GET') return answer(res, 200, engine.getStatus());
      return answer(res, 404, { error: `no such endpoint: ${req.method} ${path}` });
    }
    const route = routeStatic(path, uiFiles);
    if (route === 'refused') {
      counters.rejected++;
      return answer(res, 404, { error: 'not found' });
    }
    // The page itself holds nothing: it asks for the token before it shows anything.
    if (route === 'app') req.url = '/';
    serveUi(req, res);
  });
  server.maxConnections = MAX_CONNECTIONS;

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BYTES, perMessageDeflate: false, clientTracking: true });
  wss.on('error', () => undefined);
  server.on('upgrade', (req, socket, head) => {
    // A client that drops the connection mid-handshake must not end the station.
    socket.on('error', () => socket.destroy());
    const refuse = (status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    };
    if (pathOf(req) !== '/ws') {
      counters.rejected++;
      return refuse('404 Not Found');
    }
    if (!admitsHost(req, true)) return refuse('403 Forbidden');
    if (!access.admits(req)) {
      counters.rejected++;
      return refuse('401 Unauthorized');
    }
    if (wss.clients.size >= opts.server.maxClients) {
      transport.refusedFull++;
      return refuse('503 Service Unavailable');
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  // One subscription per event for all clients, each message encoded once.
  const broadcast = new EventBroadcast(() => wss.clients);
  const unsubscribe = BROADCAST_EVENTS.map((event) => engine.on(event, (payload) => wss.clients.size > 0 && broadcast.publish(event, payload)));
  const allClients = new TokenBucket(ALL_CLIENTS_REQUESTS_PER_S, ALL_CLIENTS_REQUESTS_PER_S, performance.now());
  const gates = new Map<WebSocket, RequestGate>();
  const costlyForAll = pLimit(COSTLY_AT_ONCE);
  /** Every client's unread replies are bounded one by one (request-gate.ts), and all of them together here. */
  const boundAllBacklogs = (): void => {
    let total = 0;
    let worst: { ws: WebSocket; gate: RequestGate } | null = null;
    for (const [ws, gate] of gates) {
      total += ws.bufferedAmount;
      if (!worst || ws.bufferedAmount > worst.ws.bufferedAmount) worst = { ws, gate };
    }
    if (total > ALL_CLIENTS_UNREAD_BYTES && worst) worst.gate.closeNotReading();
  };
  const limits = { ...DEFAULT_GATE_LIMITS, requestsPerS: opts.server.requestsPerS, burst: opts.server.requestsPerS * 2 };

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const session = engine.sessions.open('websocket', req.socket.remoteAddress ?? 'unknown');
    const send = (message: ServerMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(encodeMessage(message));
    };
    const costlyForClient = pLimit(1);
    const handle = async (data: Buffer | string, isBinary: boolean): Promise<void> => {
      let request;
      try {
        const raw = isBinary ? new Uint8Array(data as Buffer) : data.toString();
        request = ClientMessageSchema.parse(decodeMessage(raw));
      } catch {
        counters.rejected++;
        send({ kind: 'event', event: 'protocol-error', payload: 'message is not a valid LineSight request' });
        return;
      }
      const { op, payload } = request;
      const answer = (): ReturnType<typeof dispatch> => dispatch(handlers, op, payload, counters, session);
      const costly = COSTLY_OPERATIONS.has(op as OperationName);
      const result = costly ? await costlyForClient(() => costlyForAll(answer)) : await answer();
      send({ kind: 'reply', id: request.id, result });
      if (costly) boundAllBacklogs();
    };
    const gate = new RequestGate(
      {
        get bufferedAmount() {
          return ws.bufferedAmount;
        },
        pause: () => ws.pause(),
        resume: () => ws.resume(),
        close: (code, reason) => {
          ws.close(code, reason);
          // A client that reads nothing never answers the close: its connection ends anyway.
          setTimeout(() => ws.terminate(), 1000).unref();
        },
      },
      handle,
      allClients,
      transport,
      limits,
    );
    gates.set(ws, gate);
    session.onChange((info) => send({ kind: 'event', event: 'session', payload: info }));
    // ws closes the socket itself after a protocol error (oversize, invalid UTF-8, unmasked, RSV or opcode):
    // without this listener the error would end the station.
    ws.on('error', (err: Error & { code?: string }) => {
      if (err.code?.startsWith('WS_ERR_')) transport.protocolErrors++;
    });
    ws.on('close', () => {
      gates.delete(ws);
      gate.close();
      session.close();
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      gate.offer(bytes, isBinary);
    });
  });
  const backlogTimer = setInterval(() => {
    for (const gate of gates.values()) gate.checkBacklog();
    boundAllBacklogs();
  }, BACKLOG_CHECK_MS);
  backlogTimer.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.server.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After start, a failing connection or listener must never end the station.
  server.on('error', () => undefined);
  server.on('clientError', (_err, socket) => {
    counters.rejected++;
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${urlHost(opts.server.host)}:${port}`,
    counters,
    skippedEvents: () => broadcast.skipped,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(backlogTimer);
        unsubscribe.forEach((u) => u());
        broadcast.close();
        for (const gate of gates.values()) gate.close();
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
