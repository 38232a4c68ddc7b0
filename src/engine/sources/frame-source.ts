/**
 * A camera, in whatever form: something that delivers encoded frames, says
 * whether it is up, and counts what it delivered and what it refused. The
 * engine watches it (no frame for stallMs → alarm and fail-safe).
 */
import type { RawFrameImage } from '../preprocess/image-types';

export interface Frame {
  /** Increasing per source, from 1. */
  readonly id: number;
  /** When the frame was captured (or received), epoch ms. */
  readonly capturedAt: number;
  /** Encoded image (JPEG, PNG…), kept binary end to end; or, from a raw source, pixels and the picture made of them. */
  readonly data: Uint8Array | RawFrameImage;
  /** Where it came from, for the log: a file name, a URL, a device. */
  readonly origin: string;
  /**
   * Set when the source could not give this item's picture (an empty or unreadable file, a frame over
   * maxFrameBytes); `data` is then empty. The item is still decided: rejected fail-safe with this reason
   * (positive release: every item a source delivers gets a decision and an output command, issue 11).
   */
  readonly unreadable?: string;
}

const NO_BYTES = new Uint8Array(0);

/** starting: not connected yet; down: lost its input and trying again; finished: a finite source ran out. */
export type SourceState = 'starting' | 'running' | 'down' | 'finished' | 'stopped';

export interface SourceStats {
  readonly framesDelivered: number;
  /** Times the source lost its input and got it back. */
  readonly reconnects: number;
  /** Frames or files the source refused (too large, unreadable, not an image). */
  readonly rejected: number;
  readonly lastError?: string;
}

export interface FrameSource {
  readonly kind: string;
  readonly description: string;
  readonly state: SourceState;
  stats(): SourceStats;
  /** Starts delivering frames; `onEnd` is called when a finite source has delivered its last frame. */
  start(onFrame: (frame: Frame) => void, onEnd?: () => void): void;
  /** Stops, releasing what it holds (connections, processes, watchers). */
  stop(): Promise<void>;
}

/** The bookkeeping every source shares: ids, counts, state, the last error. */
export abstract class BaseFrameSource implements FrameSource {
  abstract readonly kind: string;
  abstract readonly description: string;
  protected onFrame: ((frame: Frame) => void) | null = null;
  protected onEnd: (() => void) | undefined;
  private nextId = 1;
  private _state: SourceState = 'stopped';
  private counts = { framesDelivered: 0, reconnects: 0, rejected: 0 };
  private lastError: string | undefined;
  private wasDown = false;

  get state(): SourceState {
    return this._state;
  }

  stats(): SourceStats {
    return { ...this.counts, ...(this.lastError !== undefined ? { lastError: this.lastError } : {}) };
  }

  start(onFrame: (frame: Frame) => void, onEnd?: () => void): void {
    if (this.onFrame) return;
    this.onFrame = onFrame;
    this.onEnd = onEnd;
    this._state = 'starting';
    this.begin();
  }

  async stop(): Promise<void> {
    if (this._state === 'stopped' && !this.onFrame) return;
    this.onFrame = null;
    await this.end();
    if (this._state !== 'finished') this._state = 'stopped';
  }

  /** Open the input; deliver() frames from it. */
  protected abstract begin(): void;
  /** Close the input. */
  protected abstract end(): Promise<void>;

  protected get active(): boolean {
    return this.onFrame !== null;
  }

  protected deliver(data: Uint8Array | RawFrameImage, origin: string, capturedAt = Date.now()): void {
    if (!this.onFrame) return;
    this.up();
    this.counts.framesDelivered++;
    this.onFrame({ id: this.nextId++, capturedAt, data, origin });
  }

  /** An item whose picture could not be had: counted as refused, and still handed on to be rejected. */
  protected deliverUnreadable(origin: string, reason: string, capturedAt = Date.now()): void {
    if (!this.onFrame) return;
    this.reject(reason);
    this.up();
    this.counts.framesDelivered++;
    this.onFrame({ id: this.nextId++, capturedAt, data: NO_BYTES, origin, unreadable: reason });
  }

  /** The input is there (connected, folder present, process running). */
  protected up(): void {
    if (!this.active || this._state === 'running') return;
    if (this.wasDown) this.counts.reconnects++;
    this.wasDown = false;
    this._state = 'running';
  }

  /** The input is lost; the source keeps trying. */
  protected down(reason: string): void {
    if (!this.active) return;
    this.lastError = reason;
    this.wasDown = true;
    this._state = 'down';
  }

  protected reject(reason: string): void {
    this.counts.rejected++;
    this.lastError = reason;
  }

  protected finish(): void {
    this._state = 'finished';
    this.onEnd?.();
  }
}

/** Waits before reconnecting: doubling from min to max, back to min after a success. */
export class Backoff {
  private next: number;
  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {
    this.next = minMs;
  }
  delay(): number {
    const d = this.next;
    this.next = Math.min(this.maxMs, this.next * 2);
    return d;
  }
  reset(): void {
    this.next = this.minMs;
  }
}
