/**
 * How late this thread's event loop runs: the thread that serves the UI must
 * never wait on inference (docs/BACKGROUND.md). Node's histogram samples every
 * `resolution` ms and records the whole interval, so the delay is the sample
 * minus the resolution. One histogram since the start, one per interval.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

const RESOLUTION_MS = 5;

const delayMs = (h: IntervalHistogram, p: number): number => {
  if (h.count === 0) return 0;
  const ms = h.percentile(p) / 1e6 - RESOLUTION_MS;
  return Math.max(0, Math.round(ms * 100) / 100);
};

export class LoopDelayMonitor {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private readonly interval: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });

  start(): void {
    this.histogram.enable();
    this.interval.enable();
  }

  stop(): void {
    this.histogram.disable();
    this.interval.disable();
  }

  /** Delay at the given percentile since the start, in ms, to 0.01 ms; 0 before any sample. */
  percentileMs(p: number): number {
    return delayMs(this.histogram, p);
  }

  /** Delay at the given percentile since the last call, and a new interval begins. */
  takeIntervalMs(p: number): number {
    const value = delayMs(this.interval, p);
    this.interval.reset();
    return value;
  }
}
