/**
 * The WebSocket side of the headless station: each connection is a session
 * of its own (an operator until a technician signs in on it), its requests
 * go through its request gate (request-gate.ts: rate, requests in flight,
 * unread replies) and, for the costly reads, through one-at-a-time limits
 * (costly-operations.ts), to the same dispatch as IPC; the engine's events
 * go to every client, encoded once (event-broadcast.ts). Whatever a client
 * sends ends at most its own connection (issue 11): a protocol error closes
 * that socket, counted; all clients' unread replies together are bounded.
 */
import pLimit from 'p-limit';
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { BROADCAST_EVENTS, type ApiHandlers, type OperationName } from '../shared/contract';
import type { ServerConfig } from '../shared/access-config';
import { ClientMessageSchema, decodeMessage, encodeMessage, type ServerMessage } from '../shared/wire';
import { dispatch } from '../engine/api/dispatch';
import type { ClientSession } from '../engine/auth/session-manager';
import type { StationEngine } from '../engine/station-engine';
import { COSTLY_AT_ONCE, COSTLY_OPERATIONS } from './costly-operations';
import { EventBroadcast } from './event-broadcast';
import { DEFAULT_GATE_LIMITS, RequestGate, type GateLimits } from './request-gate';
import { TokenBucket } from './token-bucket';

/** Requests answered per second for all WebSocket clients together, whatever each may ask. */
const ALL_CLIENTS_REQUESTS_PER_S = 400;
/** How often every client's unread replies are looked at. */
const BACKLOG_CHECK_MS = 1000;
/** Unread replies of all clients together; past it, the client holding the most is closed. */
const ALL_CLIENTS_UNREAD_BYTES = 256 * 1024 * 1024;
/** A client closed for what it did gets this long to answer the close before its connection is cut. */
const CLOSE_GRACE_MS = 1000;

export interface BridgeOptions {
  readonly engine: StationEngine;
  readonly handlers: ApiHandlers;
  readonly server: Pick<ServerConfig, 'requestsPerS'>;
}

export class WebSocketBridge {
  private readonly gates = new Map<WebSocket, RequestGate>();
  private readonly broadcast: EventBroadcast;
  private readonly unsubscribe: (() => void)[];
  private readonly allClients = new TokenBucket(ALL_CLIENTS_REQUESTS_PER_S, ALL_CLIENTS_REQUESTS_PER_S, performance.now());
  private readonly costlyForAll = pLimit(COSTLY_AT_ONCE);
  private readonly limits: GateLimits;
  private readonly backlogTimer: NodeJS.Timeout;

  constructor(
    private readonly wss: WebSocketServer,
    private readonly opts: BridgeOptions,
  ) {
    const { engine } = opts;
    this.limits = { ...DEFAULT_GATE_LIMITS, requestsPerS: opts.server.requestsPerS, burst: opts.server.requestsPerS * 2 };
    // One subscription per event for all clients, each message encoded once.
    this.broadcast = new EventBroadcast(() => wss.clients);
    this.unsubscribe = BROADCAST_EVENTS.map((event) => engine.on(event, (payload) => wss.clients.size > 0 && this.broadcast.publish(event, payload)));
    wss.on('connection', (ws: WebSocket, req: IncomingMessage) => this.connect(ws, req));
    this.backlogTimer = setInterval(() => {
      for (const gate of this.gates.values()) gate.checkBacklog();
      this.boundAllBacklogs();
    }, BACKLOG_CHECK_MS);
    this.backlogTimer.unref();
  }

  /** Live events not sent to a client that was behind. */
  get skippedEvents(): number {
    return this.broadcast.skipped;
  }

  close(): void {
    clearInterval(this.backlogTimer);
    this.unsubscribe.forEach((u) => u());
    this.broadcast.close();
    for (const gate of this.gates.values()) gate.close();
    for (const client of this.wss.clients) client.terminate();
  }

  private connect(ws: WebSocket, req: IncomingMessage): void {
    const { engine } = this.opts;
    const transport = engine.transportCounters;
    const session = engine.sessions.open('websocket', req.socket.remoteAddress ?? 'unknown');
    const connection = { open: true };
    const send = (message: ServerMessage): void => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(encodeMessage(message));
      // A reply that leaves this client far behind may put all clients together over their bound.
      if (ws.bufferedAmount > this.limits.softBufferedBytes) this.boundAllBacklogs();
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
          setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
        },
      },
      this.answerer(session, send, connection),
      this.allClients,
      transport,
      this.limits,
    );
    this.gates.set(ws, gate);
    session.onChange((info) => send({ kind: 'event', event: 'session', payload: info }));
    // ws closes the socket itself after a protocol error (oversize, invalid UTF-8, unmasked, RSV or opcode):
    // without this listener the error would end the station.
    ws.on('error', (err: Error & { code?: string }) => {
      if (err.code?.startsWith('WS_ERR_')) transport.protocolErrors++;
    });
    ws.on('close', () => {
      connection.open = false;
      this.gates.delete(ws);
      gate.close();
      session.close();
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      gate.offer(bytes, isBinary);
    });
  }

  /** How one connection's requests are answered: parsed, dispatched as its session, the costly ones one at a time. */
  private answerer(
    session: ClientSession,
    send: (message: ServerMessage) => void,
    connection: { readonly open: boolean },
  ): (data: Buffer | string, isBinary: boolean) => Promise<void> {
    const { engine, handlers } = this.opts;
    const counters = engine.apiCounters;
    const costlyForClient = pLimit(1);
    return async (data, isBinary) => {
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
      // A costly request that waited while its client went away is not run for nobody: a client that opens,
      // asks for exports and closes, again and again, would otherwise pile up work without end.
      const ifOpen = (run: () => ReturnType<typeof dispatch>): ReturnType<typeof dispatch> =>
        connection.open ? run() : Promise.resolve({ ok: false, error: 'the connection closed' });
      const result = costly ? await costlyForClient(() => ifOpen(() => this.costlyForAll(() => ifOpen(answer)))) : await answer();
      send({ kind: 'reply', id: request.id, result });
    };
  }

  /**
   * Every client's unread replies are bounded one by one (request-gate.ts), and all of them together here:
   * past the bound, the clients holding the most are closed, and cut at once (their buffers freed), until
   * the rest fit.
   */
  private boundAllBacklogs(): void {
    const held = [...this.gates].map(([ws, gate]) => ({ ws, gate, bytes: ws.bufferedAmount }));
    let total = held.reduce((n, c) => n + c.bytes, 0);
    if (total <= ALL_CLIENTS_UNREAD_BYTES) return;
    for (const client of held.sort((a, b) => b.bytes - a.bytes)) {
      if (total <= ALL_CLIENTS_UNREAD_BYTES) break;
      client.gate.closeNotReading();
      client.ws.terminate();
      this.gates.delete(client.ws);
      total -= client.bytes;
    }
  }
}
