/**
 * Per-stage latency distributions (HDR histograms, microsecond resolution),
 * reported as p50 / p95 / p99 / max in milliseconds.
 */
import * as hdr from 'hdr-histogram-js';
import { StageNames, type LatencySummary, type StageName } from '../../../shared/status';

export class StageLatency {
  private readonly histograms = new Map<StageName, hdr.Histogram>(
    StageNames.map((s) => [s, hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 })]),
  );

  record(stage: StageName, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.histograms.get(stage)!.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  summary(stage: StageName): LatencySummary {
    const h = this.histograms.get(stage)!;
    const ms = (us: number): number => Math.round(us) / 1000;
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
}
