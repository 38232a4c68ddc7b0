/**
 * The headless station's server: the built UI, GET /api/status, and the
 * WebSocket bridge that carries the same typed operations and events as IPC.
 *
 * Binds to 127.0.0.1 unless configured otherwise; bound to any other address
 * it asks every client for the station's token (client-access.ts). Each
 * WebSocket is a session of its own: an operator (read-only) until a
 * technician signs in on it. Events are encoded once and sent to every
 * client in batches (event-broadcast.ts); a client that cannot keep up
 * misses live events (never replies), so a slow browser never slows the line.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';
import { WebSocketServer, type WebSocket } from 'ws';
import { BROADCAST_EVENTS, type ApiHandlers } from '../shared/contract';
import type { ServerConfig } from '../shared/access-config';
import { ClientMessageSchema, decodeMessage, encodeMessage, type ServerMessage } from '../shared/wire';
import { dispatch, type BoundaryCounters } from '../main/engine/api/dispatch';
import type { StationEngine } from '../main/engine/station-engine';
import { ClientAccess } from './client-access';
import { EventBroadcast } from './event-broadcast';

const MAX_REQUEST_BYTES = 64 * 1024;

export interface StationServer {
  readonly port: number;
  readonly url: string;
  readonly counters: BoundaryCounters;
  /** Live events not sent to a client that was behind. */
  readonly skippedEvents: () => number;
  close(): Promise<void>;
}

/** Browsers send Origin; only the station's own pages may open the bridge. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);

export async function startStationServer(opts: {
  readonly engine: StationEngine;
  readonly handlers: ApiHandlers;
  readonly rendererDir: string;
  readonly server: Pick<ServerConfig, 'host' | 'token'>;
  readonly port: number;
}): Promise<StationServer> {
  const { engine, handlers } = opts;
  const counters = engine.apiCounters;
  const access = new ClientAccess(opts.server);
  const serveUi = sirv(opts.rendererDir, { single: true, etag: true, dev: false });

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path?.startsWith('/api/')) {
      if (!access.admits(req)) {
        counters.rejected++;
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
        res.end(JSON.stringify({ error: 'this station needs its token: add ?token=… or an Authorization: Bearer header' }));
        return;
      }
      if (path === '/api/status' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(engine.getStatus()));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `no such endpoint: ${req.method} ${path}` }));
      return;
    }
    // The page itself holds nothing: it asks for the token before it shows anything.
    serveUi(req, res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/ws' || !sameOrigin(req)) {
      counters.rejected++;
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    if (!access.admits(req)) {
      counters.rejected++;
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  // One subscription per event for all clients, each message encoded once.
  const broadcast = new EventBroadcast(() => wss.clients);
  const unsubscribe = BROADCAST_EVENTS.map((event) => engine.on(event, (payload) => wss.clients.size > 0 && broadcast.publish(event, payload)));

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const session = engine.sessions.open('websocket', req.socket.remoteAddress ?? 'unknown');
    const send = (message: ServerMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(encodeMessage(message));
    };
    session.onChange((info) => send({ kind: 'event', event: 'session', payload: info }));
    ws.on('close', () => session.close());
    ws.on('message', (data, isBinary) => {
      let request;
      try {
        const raw = isBinary ? new Uint8Array(data as Buffer) : data.toString();
        request = ClientMessageSchema.parse(decodeMessage(raw));
      } catch {
        counters.rejected++;
        send({ kind: 'event', event: 'protocol-error', payload: 'message is not a valid LineSight request' });
        return;
      }
      void dispatch(handlers, request.op, request.payload, counters, session).then((result) => send({ kind: 'reply', id: request.id, result }));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.server.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${urlHost(opts.server.host)}:${port}`,
    counters,
    skippedEvents: () => broadcast.skipped,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe.forEach((u) => u());
        broadcast.close();
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
