/**
 * Per-stage latency distributions (HDR histograms, microsecond resolution),
 * reported as p50 / p95 / p99 / max in milliseconds: since the start, and
 * per interval (what the last second looked like, for the live charts).
 */
import * as hdr from 'hdr-histogram-js';
import { StageNames, type LatencySummary, type StageName } from '../../shared/status';

export interface IntervalLatency {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly count: number;
}

const build = (): hdr.Histogram => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
const ms = (us: number): number => Math.round(us) / 1000;

export class StageLatency {
  private readonly histograms = new Map<StageName, hdr.Histogram>(StageNames.map((s) => [s, build()]));
  private readonly interval = new Map<StageName, hdr.Histogram>(StageNames.map((s) => [s, build()]));

  record(stage: StageName, value: number): void {
    if (!Number.isFinite(value) || value < 0) return;
    const us = Math.max(1, Math.round(value * 1000));
    this.histograms.get(stage)!.recordValue(us);
    this.interval.get(stage)!.recordValue(us);
  }

  summary(stage: StageName): LatencySummary {
    const h = this.histograms.get(stage)!;
    if (h.totalCount === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0 };
    return {
      count: h.totalCount,
      p50: ms(h.getValueAtPercentile(50)),
      p95: ms(h.getValueAtPercentile(95)),
      p99: ms(h.getValueAtPercentile(99)),
      max: ms(h.maxValue),
    };
  }

  summaries(): Record<StageName, LatencySummary> {
    return Object.fromEntries(StageNames.map((s) => [s, this.summary(s)])) as Record<StageName, LatencySummary>;
  }

  /** Each stage over the interval since the last call (null where nothing was recorded), and a new interval begins. */
  takeInterval(): Record<StageName, IntervalLatency | null> {
    const out = {} as Record<StageName, IntervalLatency | null>;
    for (const stage of StageNames) {
      const h = this.interval.get(stage)!;
      out[stage] =
        h.totalCount === 0
          ? null
          : { p50: ms(h.getValueAtPercentile(50)), p95: ms(h.getValueAtPercentile(95)), p99: ms(h.getValueAtPercentile(99)), count: h.totalCount };
      h.reset();
    }
    return out;
  }
}
