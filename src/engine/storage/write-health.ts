/**
 * Whether one writer's commits land, and since when they fail: the log
 * worker's inspections writer has one, the main connection (events, audit,
 * settings, registry, benchmark runs) another. An episode starts at the
 * first failed write and ends at the next that succeeds; its summary goes
 * to the event log when space returns (issue 11, item 3). Pure: the clock
 * is injected.
 */
import type { StorageFault } from './storage-fault';

export interface WriteHealthSnapshot {
  readonly state: 'ok' | 'failing';
  readonly fault: StorageFault | null;
  /** ISO 8601, UTC: the first failure of the episode in progress. */
  readonly since: string | null;
  /** Failed writes since the station started. */
  readonly failures: number;
}

export interface WriteEpisode {
  readonly fault: StorageFault;
  readonly since: string;
  readonly until: string;
  /** Failed writes (and retries) during the episode. */
  readonly failures: number;
}

export class WriteHealth {
  private fault: StorageFault | null = null;
  private since: Date | null = null;
  private failures = 0;
  private episodeFailures = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  get failing(): boolean {
    return this.fault !== null;
  }

  /** A write failed; true when this starts an episode. */
  failed(fault: StorageFault): boolean {
    this.failures++;
    this.episodeFailures++;
    const starts = this.fault === null;
    this.fault = fault;
    if (starts) this.since = this.now();
    return starts;
  }

  /** A write landed; the episode it ends, if one was in progress. */
  succeeded(): WriteEpisode | null {
    if (this.fault === null || this.since === null) return null;
    const episode: WriteEpisode = {
      fault: this.fault,
      since: this.since.toISOString(),
      until: this.now().toISOString(),
      failures: this.episodeFailures,
    };
    this.fault = null;
    this.since = null;
    this.episodeFailures = 0;
    return episode;
  }

  snapshot(): WriteHealthSnapshot {
    return { state: this.fault ? 'failing' : 'ok', fault: this.fault, since: this.since?.toISOString() ?? null, failures: this.failures };
  }
}
