/**
 * The waits before each start of a worker that died (inference-client.ts, log/log-client.ts): each failed start
 * waits the next delay, the last repeated. A worker that ran for stableMs before it died starts over at the first.
 */
export class RestartBackoff {
  private attempts = 0;
  private upSince: number;

  constructor(
    private readonly delaysMs: readonly number[],
    private readonly stableMs = Number.POSITIVE_INFINITY,
    private readonly now: () => number = Date.now,
  ) {
    this.upSince = now();
  }

  /** The worker died: one that had run for stableMs is a fresh failure, not one more in a series. */
  died(): void {
    if (this.now() - this.upSince >= this.stableMs) this.attempts = 0;
  }

  /** The wait before the next start. */
  nextDelayMs(): number {
    const delay = this.delaysMs[Math.min(this.attempts, this.delaysMs.length - 1)] ?? 5000;
    this.attempts++;
    return delay;
  }

  /** A worker runs again. */
  started(): void {
    this.upSince = this.now();
  }

  /** The series is over: the next death waits the first delay. */
  reset(): void {
    this.attempts = 0;
  }
}
