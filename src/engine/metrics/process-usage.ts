/**
 * The station process's CPU (its worker threads included: they are threads
 * of this process) as a share of the whole machine, measured between two
 * calls, and its memory beside the machine's.
 */
import { availableParallelism, freemem, loadavg, totalmem } from 'node:os';

export interface ProcessUsage {
  readonly cpuPct: number;
  readonly cores: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly freeMemBytes: number;
  readonly totalMemBytes: number;
  readonly loadAvg: number[];
}

export class ProcessUsageMeter {
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private cpuPct = 0;
  private readonly cores = availableParallelism();

  /** Measures the CPU share since the last call. */
  sample(): ProcessUsage {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const wallUs = (now - this.lastAt) * 1000;
    if (wallUs > 0) this.cpuPct = Math.min(100, Math.round(((cpu.user + cpu.system) / wallUs / this.cores) * 1000) / 10);
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    return this.current();
  }

  /** The latest figures, without measuring again. */
  current(): ProcessUsage {
    const mem = process.memoryUsage();
    return {
      cpuPct: this.cpuPct,
      cores: this.cores,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      freeMemBytes: freemem(),
      totalMemBytes: totalmem(),
      loadAvg: loadavg().map((l) => Math.round(l * 100) / 100),
    };
  }
}
