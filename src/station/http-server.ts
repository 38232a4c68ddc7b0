/**
 * The headless station's server: the built UI, GET /api/status, and the
 * WebSocket bridge that carries the same typed operations and events as IPC.
 * Binds to 127.0.0.1 only.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENT_NAMES, type ApiHandlers } from '../shared/contract';
import { ClientMessageSchema, decodeMessage, encodeMessage, type ServerMessage } from '../shared/wire';
import { dispatch, type BoundaryCounters } from '../main/engine/api/dispatch';
import type { StationEngine } from '../main/engine/station-engine';

export const HOST = '127.0.0.1';
const MAX_REQUEST_BYTES = 64 * 1024;

export interface StationServer {
  readonly port: number;
  readonly url: string;
  readonly counters: BoundaryCounters;
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

export async function startStationServer(opts: {
  readonly engine: StationEngine;
  readonly handlers: ApiHandlers;
  readonly rendererDir: string;
  readonly port: number;
}): Promise<StationServer> {
  const { engine, handlers } = opts;
  const counters = engine.apiCounters;
  const serveUi = sirv(opts.rendererDir, { single: true, etag: true, dev: false });

  const server: Server = createServer((req, res) => {
    if (req.url === '/api/status' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(engine.getStatus()));
      return;
    }
    if (req.url?.startsWith('/api/')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `no such endpoint: ${req.method} ${req.url}` }));
      return;
    }
    serveUi(req, res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BYTES });
  server.on('upgrade', (req, socket, head) => {
    if (req.url !== '/ws' || !sameOrigin(req)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    const send = (message: ServerMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(encodeMessage(message));
    };
    const unsubscribe = EVENT_NAMES.map((event) => engine.on(event, (payload) => send({ kind: 'event', event, payload })));
    ws.on('close', () => unsubscribe.forEach((u) => u()));
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
      void dispatch(handlers, request.op, request.payload, counters).then((result) => send({ kind: 'reply', id: request.id, result }));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${HOST}:${port}`,
    counters,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
