/**
 * One channel's last N samples and their statistics, updated in O(1) per
 * sample: running sums of x, x², x³, x⁴ give mean, std, RMS and kurtosis;
 * two monotonic deques give min and max (amortised O(1)). The sums are
 * recomputed from the window now and then, so rounding never drifts.
 * (A dataframe library computing these cost 850 ms a window in one study;
 * docs/BACKGROUND.md.)
 */

const RESUM_EVERY = 4096;

export class RollingWindow {
  private readonly values: Float64Array;
  /** Index of the next write; the oldest value when the window is full. */
  private head = 0;
  private count = 0;
  /** Samples pushed ever: a sequence number for the deques. */
  private seq = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private s4 = 0;
  private sinceResum = 0;
  // Deques of sequence numbers whose values are increasing (min) / decreasing (max).
  private readonly minQ: number[] = [];
  private readonly maxQ: number[] = [];
  private minFront = 0;
  private maxFront = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError('a rolling window holds at least 2 samples');
    this.values = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  push(x: number): void {
    if (this.count === this.capacity) {
      const old = this.values[this.head]!;
      this.s1 -= old;
      this.s2 -= old * old;
      this.s3 -= old * old * old;
      this.s4 -= old * old * old * old;
    } else {
      this.count++;
    }
    this.values[this.head] = x;
    this.head = (this.head + 1) % this.capacity;
    this.s1 += x;
    this.s2 += x * x;
    this.s3 += x * x * x;
    this.s4 += x * x * x * x;
    const seq = this.seq++;
    const oldest = this.seq - this.count;
    this.pushDeque(this.minQ, 'min', seq, x, oldest);
    this.pushDeque(this.maxQ, 'max', seq, x, oldest);
    if (++this.sinceResum >= RESUM_EVERY) this.resum();
  }

  private pushDeque(q: number[], kind: 'min' | 'max', seq: number, x: number, oldest: number): void {
    let front = kind === 'min' ? this.minFront : this.maxFront;
    while (q.length > front && (kind === 'min' ? this.valueOf(q[q.length - 1]!) >= x : this.valueOf(q[q.length - 1]!) <= x)) q.pop();
    q.push(seq);
    while (q[front]! < oldest) front++;
    // Compact now and then so the array does not grow without bound.
    if (front > 1024) {
      q.splice(0, front);
      front = 0;
    }
    if (kind === 'min') this.minFront = front;
    else this.maxFront = front;
  }

  private valueOf(seq: number): number {
    const age = this.seq - 1 - seq;
    return this.values[(this.head - 1 - age + this.capacity * 2) % this.capacity]!;
  }

  private resum(): void {
    this.sinceResum = 0;
    this.s1 = this.s2 = this.s3 = this.s4 = 0;
    for (const x of this.ordered()) {
      this.s1 += x;
      this.s2 += x * x;
      this.s3 += x * x * x;
      this.s4 += x * x * x * x;
    }
  }

  get last(): number {
    return this.count === 0 ? Number.NaN : this.values[(this.head - 1 + this.capacity) % this.capacity]!;
  }

  get mean(): number {
    return this.s1 / this.count;
  }

  /** Population variance (of the window, not an estimate of a larger one). */
  get variance(): number {
    const m = this.mean;
    return Math.max(0, this.s2 / this.count - m * m);
  }

  get std(): number {
    return Math.sqrt(this.variance);
  }

  get rms(): number {
    return Math.sqrt(Math.max(0, this.s2 / this.count));
  }

  get min(): number {
    return this.count === 0 ? Number.NaN : this.valueOf(this.minQ[this.minFront]!);
  }

  get max(): number {
    return this.count === 0 ? Number.NaN : this.valueOf(this.maxQ[this.maxFront]!);
  }

  get peakToPeak(): number {
    return this.max - this.min;
  }

  /** Kurtosis (not excess): 3 for a normal distribution; impulses from a worn bearing raise it. */
  get kurtosis(): number {
    const n = this.count;
    const m = this.mean;
    const v = this.variance;
    if (v === 0) return 0;
    const m4 = (this.s4 - 4 * m * this.s3 + 6 * m * m * this.s2 - 3 * n * m * m * m * m) / n;
    return m4 / (v * v);
  }

  /** The window, oldest first (for the FFT). */
  ordered(into: Float64Array = new Float64Array(this.count)): Float64Array {
    const start = (this.head - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i++) into[i] = this.values[(start + i) % this.capacity]!;
    return into;
  }
}
