/** Events per second over a sliding window (frames per second). */
export class RateMeter {
  private readonly stamps: number[] = [];

  constructor(
    private readonly windowMs = 5000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  mark(): void {
    const t = this.now();
    this.stamps.push(t);
    this.prune(t);
  }

  perSecond(): number {
    const t = this.now();
    this.prune(t);
    if (this.stamps.length < 2) return 0;
    const span = Math.max(t - this.stamps[0]!, 1);
    return ((this.stamps.length - 1) * 1000) / Math.min(span, this.windowMs);
  }

  private prune(t: number): void {
    while (this.stamps.length > 0 && t - this.stamps[0]! > this.windowMs) this.stamps.shift();
  }
}
