/**
 * The engine's events to every WebSocket client, encoded once for all of
 * them. Live events (inspections, status, samples) are gathered for FLUSH_MS
 * and sent as one message: at line rate a socket write per client per item
 * comes out of the line's own CPU (bench station.clients). A client too far
 * behind misses live events until it catches up, since the next ones replace
 * them; alarms and import progress go out at once, to everyone, always.
 */
import type { WebSocket } from 'ws';
import type { BroadcastEventName } from '../shared/contract';
import { encodeMessage, type ServerMessage } from '../shared/wire';

export const FLUSH_MS = 25;
/** Past this much unsent data, a client gets no more live events until it has caught up. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const LIVE: ReadonlySet<BroadcastEventName> = new Set(['inspection', 'status', 'sample']);

export class EventBroadcast {
  private queue: { event: string; payload: unknown }[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** Live events not sent to a client that was behind. */
  skipped = 0;

  constructor(private readonly clients: () => Iterable<WebSocket>) {}

  publish(event: BroadcastEventName, payload: unknown): void {
    if (!LIVE.has(event)) {
      this.sendToAll(encodeMessage({ kind: 'event', event, payload } satisfies ServerMessage), false, 1);
      return;
    }
    this.queue.push({ event, payload });
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.queue.length === 0) return;
    const items = this.queue;
    this.queue = [];
    const message: ServerMessage = items.length === 1 ? { kind: 'event', ...items[0]! } : { kind: 'events', items };
    this.sendToAll(encodeMessage(message), true, items.length);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
  }

  private sendToAll(data: string | Uint8Array, droppable: boolean, items: number): void {
    for (const ws of this.clients()) {
      if (ws.readyState !== ws.OPEN) continue;
      if (droppable && ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        this.skipped += items;
        continue;
      }
      ws.send(data);
    }
  }
}
