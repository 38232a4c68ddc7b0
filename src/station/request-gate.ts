/**
 * What one WebSocket client may ask of the station, and how fast: requests
 * are answered at most `requestsPerS` a second (with a burst), at most
 * `maxInFlight` at a time, and only while the client reads its replies. A
 * client over a limit is not answered with refusals (answering costs CPU
 * too): its socket is paused, so its own TCP buffers fill and it slows down
 * by itself, and its requests are answered when it may ask again. A client
 * that piles up more than `maxQueuedBytes` of requests, or leaves more than
 * `hardBufferedBytes` of replies unread (or stops reading altogether for
 * `stalledMs` past `softBufferedBytes`), is closed. Issue 11: a client that
 * never read its replies once grew the station to 2.2 GB and ended it.
 *
 * One bucket is shared by every client as well, so that many clients
 * together cannot take more than the station can spare from the line.
 */
import type { TransportCounters } from '../shared/status';
import { TokenBucket } from './token-bucket';

export interface GateLimits {
  /** Requests answered per second, per client… */
  readonly requestsPerS: number;
  /** …with this many saved up for a burst (a page opening asks several at once). */
  readonly burst: number;
  /** Requests being answered at once (history pages, exports take a while). */
  readonly maxInFlight: number;
  /** Requests read from the socket and not yet answered, in bytes; past it the client is closed. */
  readonly maxQueuedBytes: number;
  /** Past this much unread reply data, the client's requests wait until it reads. */
  readonly softBufferedBytes: number;
  /** Past this much unread reply data, the client is closed. */
  readonly hardBufferedBytes: number;
  /** Past softBufferedBytes without reading a byte for this long, the client is closed. */
  readonly stalledMs: number;
}

export const DEFAULT_GATE_LIMITS: GateLimits = {
  requestsPerS: 50,
  burst: 100,
  maxInFlight: 8,
  maxQueuedBytes: 1024 * 1024,
  softBufferedBytes: 4 * 1024 * 1024,
  // A CSV export of 200,000 rows is one reply of ~30 MB.
  hardBufferedBytes: 64 * 1024 * 1024,
  stalledMs: 10_000,
};

/** The part of a WebSocket the gate steers. */
export interface GatedSocket {
  readonly bufferedAmount: number;
  pause(): void;
  resume(): void;
  /** Closes the connection, saying why (a close frame where the socket still takes one). */
  close(code: number, reason: string): void;
}

export interface GateClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: GateClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** RFC 6455 close codes. */
export const CLOSE_POLICY = 1008;
export const CLOSE_TOO_BIG = 1009;

/** How often a client over the soft cap is looked at again. */
const BACKLOG_RECHECK_MS = 50;

interface Queued {
  readonly data: Buffer | string;
  readonly isBinary: boolean;
  readonly bytes: number;
}

export class RequestGate {
  private readonly queue: Queued[] = [];
  private queuedBytes = 0;
  private inFlight = 0;
  private paused = false;
  private timer: unknown = null;
  private closed = false;
  private readonly own: TokenBucket;
  /** When the unread replies went over the soft cap without going down since, and how much they were then. */
  private stall: { since: number; bytes: number } | null = null;

  constructor(
    private readonly socket: GatedSocket,
    private readonly handle: (data: Buffer | string, isBinary: boolean) => Promise<void>,
    private readonly shared: TokenBucket,
    private readonly counters: TransportCounters,
    private readonly limits: GateLimits = DEFAULT_GATE_LIMITS,
    private readonly clock: GateClock = realClock,
  ) {
    this.own = new TokenBucket(limits.requestsPerS, limits.burst, clock.now());
  }

  /** A message the client sent. */
  offer(data: Buffer | string, isBinary: boolean): void {
    if (this.closed) return;
    const bytes = typeof data === 'string' ? data.length : data.byteLength;
    this.queue.push({ data, isBinary, bytes });
    this.queuedBytes += bytes;
    if (this.queuedBytes > this.limits.maxQueuedBytes) {
      this.counters.closedFlooding++;
      this.shut(CLOSE_POLICY, 'too many requests waiting: slow down');
      return;
    }
    this.pump();
  }

  /** Looks at the client's unread replies (after each reply, and every second for all clients). */
  checkBacklog(): boolean {
    if (this.closed) return false;
    const buffered = this.socket.bufferedAmount;
    if (buffered > this.limits.hardBufferedBytes) {
      this.counters.closedNotReading++;
      this.shut(CLOSE_POLICY, 'replies not read: connection closed');
      return false;
    }
    if (buffered <= this.limits.softBufferedBytes) {
      this.stall = null;
      return true;
    }
    const now = this.clock.now();
    if (this.stall === null || buffered < this.stall.bytes) this.stall = { since: now, bytes: buffered };
    else if (now - this.stall.since >= this.limits.stalledMs) {
      this.counters.closedNotReading++;
      this.shut(CLOSE_POLICY, 'replies not read: connection closed');
      return false;
    }
    return false;
  }

  /** Closes the client for its unread replies (the station's total is over its bound, and this client holds the most). */
  closeNotReading(): void {
    if (this.closed) return;
    this.counters.closedNotReading++;
    this.shut(CLOSE_POLICY, 'replies not read: connection closed');
  }

  /** The connection ended: nothing more is answered. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private pump(): void {
    if (this.timer !== null) return;
    while (!this.closed && this.queue.length > 0) {
      if (this.inFlight >= this.limits.maxInFlight) return this.hold();
      if (!this.checkBacklog()) {
        if (!this.closed) this.later(BACKLOG_RECHECK_MS);
        return;
      }
      const now = this.clock.now();
      const waitMs = Math.max(this.own.waitMs(now), this.shared.waitMs(now));
      if (waitMs > 0) {
        this.counters.throttled++;
        this.later(waitMs);
        return;
      }
      this.own.take(now);
      this.shared.take(now);
      const next = this.queue.shift()!;
      this.queuedBytes -= next.bytes;
      this.inFlight++;
      void this.handle(next.data, next.isBinary)
        // A reply that could not be sent must not end the station (an unhandled rejection would).
        .catch(() => this.counters.failedReplies++)
        .finally(() => {
          this.inFlight--;
          this.checkBacklog();
          this.pump();
        });
    }
    if (!this.closed && this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /** Stops reading from the client until its requests may go on. */
  private hold(): void {
    if (this.paused) return;
    this.paused = true;
    this.socket.pause();
  }

  private later(ms: number): void {
    this.hold();
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.pump();
    }, ms);
  }

  private shut(code: number, reason: string): void {
    this.close();
    this.socket.close(code, reason);
  }
}
