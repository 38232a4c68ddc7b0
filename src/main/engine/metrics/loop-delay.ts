/**
 * How late this thread's event loop runs: the thread that serves the UI must
 * never wait on inference (ENGINEERING.md). Node's histogram samples every
 * `resolution` ms and records the whole interval, so the delay is the sample
 * minus the resolution.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

const RESOLUTION_MS = 5;

export class LoopDelayMonitor {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });

  start(): void {
    this.histogram.enable();
  }

  stop(): void {
    this.histogram.disable();
  }

  /** Delay at the given percentile, in ms, to 0.01 ms; 0 before any sample. */
  percentileMs(p: number): number {
    if (this.histogram.count === 0) return 0;
    const ms = this.histogram.percentile(p) / 1e6 - RESOLUTION_MS;
    return Math.max(0, Math.round(ms * 100) / 100);
  }
}
