/**
 * A WebSocket client of the station in Node that speaks the UI's wire format:
 * for the tests, and for the clients bench, which connects several of them
 * doing what a browser's live page does.
 */
import WebSocket from 'ws';
import type { EventName, EventPayload, OperationName, ReplyOf, RequestOf, Result } from '../shared/contract';
import { decodeMessage, encodeMessage, eventsOf, ServerMessageSchema } from '../shared/wire';

export class StationClient {
  private nextId = 1;
  private readonly pending = new Map<number, (r: Result<unknown>) => void>();
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  readonly events: { event: string; payload: unknown }[] = [];
  bytesIn = 0;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.bytesIn += data.length;
      const msg = ServerMessageSchema.parse(decodeMessage(isBinary ? new Uint8Array(data) : data.toString()));
      if (msg.kind === 'reply') {
        this.pending.get(msg.id)?.(msg.result);
        this.pending.delete(msg.id);
      } else {
        for (const { event, payload } of eventsOf(msg)) {
          this.events.push({ event, payload });
          this.listeners.get(event)?.forEach((l) => l(payload));
        }
      }
    });
  }

  /** Connects; rejects with the HTTP status when the station refuses the upgrade. */
  static connect(url: string, headers: Record<string, string> = {}): Promise<StationClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => resolve(new StationClient(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`refused with HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** The raw Result, as the page would get it. */
  call<K extends OperationName>(op: K, payload: RequestOf<K> | Record<string, unknown>): Promise<Result<ReplyOf<K>>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve as (r: Result<unknown>) => void);
      this.ws.send(encodeMessage({ kind: 'request', id, op, payload }));
    });
  }

  async ok<K extends OperationName>(op: K, payload: RequestOf<K>): Promise<ReplyOf<K>> {
    const r = await this.call(op, payload);
    if (!r.ok) throw new Error(r.error);
    return r.value;
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (p: unknown) => void);
    return () => set.delete(listener as (p: unknown) => void);
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
