/**
 * The headless station's server: the built UI, GET /api/status, GET
 * /api/access (whether a token is needed, and whether the one offered is
 * good: open to all, so a page can tell a missing token from a lost
 * connection), and the WebSocket bridge (websocket-bridge.ts) that carries the same typed
 * operations and events as IPC.
 *
 * Binds to 127.0.0.1 unless configured otherwise; bound to any other address
 * it asks every client for the station's token (client-access.ts). Every
 * request must name the station in its Host (and, from a browser, come from
 * the station's own page: host-policy.ts); the UI's files are only the
 * regular files of its folder (static-files.ts); /api is rate-limited per
 * client address; at most server.maxClients WebSockets are admitted. Whatever
 * a client sends ends at most its own connection (issue 11).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import sirv from 'sirv';
import { WebSocketServer } from 'ws';
import type { ApiHandlers } from '../shared/contract';
import { ACCESS_PATH, type ServerConfig, type StationAccessAnswer } from '../shared/access-config';
import type { BoundaryCounters } from '../engine/api/dispatch';
import type { StationEngine } from '../engine/station-engine';
import { ClientAccess } from './client-access';
import { HostPolicy } from './host-policy';
import { regularFilesUnder, routeStatic } from './static-files';
import { WebSocketBridge } from './websocket-bridge';
import { TokenBucket } from './token-bucket';

/** The largest request a client may send: requests are small JSON (a PIN, thresholds, a filter). Deliberately far below ws's 100 MiB default. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** GET /api/status per second, per client address (a monitoring script asks once a second or so; tests poll at 20). */
const STATUS_REQUESTS_PER_S = 50;
/** Client addresses remembered for the /api rate; the oldest is forgotten past it. */
const MAX_TRACKED_ADDRESSES = 1024;
/** Open TCP connections of any kind (HTTP and WebSocket). */
const MAX_CONNECTIONS = 256;

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
    if (path === ACCESS_PATH && req.method === 'GET') {
      // Open to every client: a page without the token (or with a stale one) must learn that it is the token, not the
      // network, that keeps it out. It tells only that; rate-limited like the rest of /api (a token has 16+ characters).
      if (!statusRates.take(req.socket.remoteAddress ?? 'unknown', performance.now())) {
        transport.throttled++;
        return answer(res, 429, { error: `at most ${STATUS_REQUESTS_PER_S} requests a second` }, { 'retry-after': '1' });
      }
      const answerBody: StationAccessAnswer = { tokenRequired: access.tokenRequired, tokenAccepted: access.admits(req) };
      return answer(res, 200, answerBody);
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

  const bridge = new WebSocketBridge(wss, { engine, handlers, server: opts.server });

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
    skippedEvents: () => bridge.skippedEvents,
    close: () =>
      new Promise<void>((resolve) => {
        bridge.close();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
