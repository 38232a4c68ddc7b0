/**
 * The results waiting for the PLC (issue 17): a buffer of N, shown one at a
 * time in the input registers until the PLC acknowledges it (Cognex's
 * "results buffered until Results Ack"). When it is full a new result is not
 * shown — the PLC times that trigger out and treats its item as rejected
 * (positive release on its side) — and the overrun is counted and reported.
 * The server reads `shown()` and the counters; `onShown` hears each result
 * the moment the PLC can read it (the command, in cycle-times.ts).
 */
import type { Decision } from '../../shared/decision';

export interface PlcResult {
  readonly triggerId: number;
  /** The line's id of the item it answers. */
  readonly itemId: number;
  readonly decision: Decision;
  readonly classIndex: number;
  /** The reject label's score, or null when there was no verdict. */
  readonly score: number | null;
  readonly errorCode: number;
  /** Trigger to result, ms. */
  readonly cycleMs: number;
}

export class PlcResults {
  private readonly queue: PlcResult[] = [];
  overruns = 0;
  /** Counts results shown (the PLC tells a new one from the same by it). */
  shownCount = 0;

  constructor(
    private readonly capacity: number,
    private readonly onShown: (result: PlcResult) => void = () => {},
  ) {}

  /** The result in the registers now, if any. */
  shown(): PlcResult | null {
    return this.queue[0] ?? null;
  }

  get buffered(): number {
    return this.queue.length;
  }

  /** A new result; false when the buffer was full and it was lost (counted). */
  push(result: PlcResult): boolean {
    if (this.queue.length >= this.capacity) {
      this.overruns++;
      return false;
    }
    this.queue.push(result);
    if (this.queue.length === 1) this.show(result);
    return true;
  }

  /** The PLC acknowledged the shown result: the next is shown. */
  acknowledge(): PlcResult | null {
    const done = this.queue.shift() ?? null;
    if (done && this.queue.length > 0) this.show(this.queue[0]!);
    return done;
  }

  /** Results never shown (the station is stopping): taken out, so each is accounted for once. */
  drainUnshown(): PlcResult[] {
    return this.queue.splice(1);
  }

  private show(result: PlcResult): void {
    this.shownCount++;
    this.onShown(result);
  }
}
