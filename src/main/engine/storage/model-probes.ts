/**
 * Model files that passed the load probe on this station (models/model-probe.ts),
 * by the sha256 of the bytes loaded, with the peak memory the probe measured.
 * Only a file not in here pays the probe at its first load; imported models
 * are recorded at import.
 */
import type { SqliteDatabase } from './database';

export interface ProbeRecord {
  readonly sha256: string;
  readonly peakMiB: number;
  /** model.loadMemoryMiB when it passed. */
  readonly capMiB: number;
  /** Name, version and file, for whoever reads the table. */
  readonly model: string;
  readonly at: Date;
}

export class ProbedModels {
  constructor(private readonly db: SqliteDatabase) {}

  /** The file passed here with a peak that fits `capMiB` (a cap lowered below its peak probes it again). */
  passed(sha256: string, capMiB: number): boolean {
    const row = this.db.prepare('SELECT peak_mib FROM model_probes WHERE sha256 = ?').get(sha256) as { peak_mib: number } | undefined;
    return row !== undefined && row.peak_mib <= capMiB;
  }

  record(r: ProbeRecord): void {
    this.db
      .prepare(
        `INSERT INTO model_probes (sha256, peak_mib, cap_mib, model, probed_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (sha256) DO UPDATE SET peak_mib = excluded.peak_mib, cap_mib = excluded.cap_mib, model = excluded.model, probed_at = excluded.probed_at`,
      )
      .run(r.sha256, r.peakMiB, r.capMiB, r.model, r.at.toISOString());
  }
}
