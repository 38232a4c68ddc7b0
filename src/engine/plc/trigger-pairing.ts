/**
 * Trigger mode (issue 17): an item is a trigger, not a frame. Each trigger
 * takes the next frame the camera sends after it (a free-running camera's
 * next picture, or the one a hardware-triggered camera sends for it) and
 * becomes one item for the line; a trigger with no frame within
 * `frameTimeoutMs` becomes an item without a picture, which the line rejects
 * fail-safe — so every trigger gets exactly one result (positive release).
 * Frames no trigger asked for are not items. The trigger-to-frame time is
 * kept with each item.
 */
import type { LineItem } from '../line/inspection-line';
import type { Frame } from '../sources/frame-source';

export interface TriggeredItem extends LineItem {
  readonly triggerId: number;
  /** Epoch ms of the trigger. */
  readonly triggeredAt: number;
  /** Trigger to frame, ms; null when no frame came. */
  readonly frameWaitMs: number | null;
}

interface Waiting {
  readonly seq: number;
  readonly triggerId: number;
  readonly at: number;
  readonly timer: NodeJS.Timeout;
}

/** Triggers waiting for a frame at most; past it a trigger is answered at once, without a picture. */
const MAX_WAITING = 64;
const NO_BYTES = new Uint8Array(0);

export class TriggerPairing {
  private readonly waiting: Waiting[] = [];
  private seq = 0;
  private stopped = false;

  constructor(
    private readonly opts: {
      readonly frameTimeoutMs: number;
      readonly emit: (item: TriggeredItem) => void;
      readonly now?: () => number;
    },
  ) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** A trigger from the PLC. */
  trigger(triggerId: number): void {
    const at = this.now();
    const seq = ++this.seq;
    // Stopping: no frame will come, but the trigger is still answered (NG, no frame).
    if (this.stopped) return this.withoutPicture(seq, triggerId, at, `trigger ${triggerId}: the station is stopping`);
    if (this.waiting.length >= MAX_WAITING)
      return this.withoutPicture(seq, triggerId, at, `trigger ${triggerId}: ${MAX_WAITING} triggers already wait for a frame`);
    const timer = setTimeout(() => this.timedOut(seq), this.opts.frameTimeoutMs);
    this.waiting.push({ seq, triggerId, at, timer });
  }

  /** A frame from the camera: the oldest trigger waiting takes it, if the frame came after it. */
  frame(frame: Frame): void {
    const head = this.waiting[0];
    if (!head || frame.capturedAt < head.at) return;
    this.waiting.shift();
    clearTimeout(head.timer);
    this.opts.emit({
      id: head.seq,
      capturedAt: frame.capturedAt,
      data: frame.data,
      origin: `${frame.origin} (trigger ${head.triggerId})`,
      ...(frame.unreadable !== undefined ? { unreadable: frame.unreadable } : {}),
      triggerId: head.triggerId,
      triggeredAt: head.at,
      frameWaitMs: frame.capturedAt - head.at,
    });
  }

  /** Answers every trigger still waiting, without a picture (the station is stopping). */
  stop(): void {
    this.stopped = true;
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      this.withoutPicture(w.seq, w.triggerId, w.at, `trigger ${w.triggerId}: the station stopped before a frame came`);
    }
  }

  private timedOut(seq: number): void {
    const i = this.waiting.findIndex((w) => w.seq === seq);
    if (i < 0) return;
    const [w] = this.waiting.splice(i, 1);
    this.withoutPicture(w!.seq, w!.triggerId, w!.at, `trigger ${w!.triggerId}: no frame within ${this.opts.frameTimeoutMs} ms`);
  }

  private withoutPicture(seq: number, triggerId: number, at: number, why: string): void {
    this.opts.emit({ id: seq, capturedAt: at, data: NO_BYTES, origin: `trigger ${triggerId}`, unreadable: why, triggerId, triggeredAt: at, frameWaitMs: null });
  }
}
