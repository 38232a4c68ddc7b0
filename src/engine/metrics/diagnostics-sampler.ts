/**
 * A sample a second for the Diagnostics page's charts: decisions and frames
 * per second, per-stage latency and event-loop delay over that second, CPU
 * and memory, machine-health risk and sensor levels. The last ten minutes
 * are kept, so a page opened now starts with a filled chart.
 */
import { DIAGNOSTICS_HISTORY, type DiagnosticsSample } from '../../shared/diagnostics';
import type { LoopDelayMonitor } from './loop-delay';
import type { ProcessUsageMeter } from './process-usage';
import type { StageLatency } from './stage-latency';

export interface SampledCounts {
  readonly decided: number;
  readonly seen: number;
  readonly dropped: number;
}

export interface DiagnosticsSources {
  readonly latency: StageLatency;
  readonly loopDelay: LoopDelayMonitor;
  readonly usage: ProcessUsageMeter;
  readonly counts: () => SampledCounts;
  readonly machine: () => DiagnosticsSample['machine'];
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

export class DiagnosticsSampler {
  private readonly samples: DiagnosticsSample[] = [];
  private last: SampledCounts;
  private lastAt: number;

  constructor(
    private readonly sources: DiagnosticsSources,
    now: number,
  ) {
    this.last = sources.counts();
    this.lastAt = now;
  }

  /** Takes the sample for the interval since the last one. */
  sample(now: number): DiagnosticsSample {
    const counts = this.sources.counts();
    const seconds = Math.max((now - this.lastAt) / 1000, 0.001);
    const usage = this.sources.usage.sample();
    const sample: DiagnosticsSample = {
      at: now,
      fps: round((counts.decided - this.last.decided) / seconds),
      sourceFps: round((counts.seen - this.last.seen) / seconds),
      dropped: counts.dropped - this.last.dropped,
      latencyMs: this.sources.latency.takeInterval(),
      loopDelayMs: this.sources.loopDelay.takeIntervalMs(99),
      cpuPct: usage.cpuPct,
      rssBytes: usage.rssBytes,
      machine: this.sources.machine(),
    };
    this.last = counts;
    this.lastAt = now;
    this.samples.push(sample);
    if (this.samples.length > DIAGNOSTICS_HISTORY) this.samples.shift();
    return sample;
  }

  /** Oldest first. */
  history(): DiagnosticsSample[] {
    return [...this.samples];
  }
}
