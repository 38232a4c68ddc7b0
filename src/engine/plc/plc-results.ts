/**
 * The results waiting for the PLC (issue 17): a buffer of N, shown one at a
 * time in the input registers until the PLC acknowledges it (Cognex's
 * "results buffered until Results Ack"). When it is full a new result is not
 * shown — the PLC times that trigger out and treats its item as rejected
 * (positive release on its side) — and the overrun is counted and reported.
 * Pure: the server reads `shown()` and the counters.
 */
import type { Decision } from '../../shared/decision';

export interface PlcResult {
  readonly triggerId: number;
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

  constructor(private readonly capacity: number) {}

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
    if (this.queue.length === 1) this.shownCount++;
    return true;
  }

  /** The PLC acknowledged the shown result: the next is shown. */
  acknowledge(): PlcResult | null {
    const done = this.queue.shift() ?? null;
    if (done && this.queue.length > 0) this.shownCount++;
    return done;
  }
}
