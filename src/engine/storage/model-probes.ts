/**
 * Model files that passed the load probe on this station (models/model-probe.ts),
 * by the sha256 of the bytes loaded and the settings they were probed with
 * (models/first-load-gate.ts probeSettingsKey: providers, threads, batch…, and the
 * manifest's input and preprocessing that shaped the probe's inputs),
 * with the peak memory the probe measured. Only a file not in here with the
 * settings in force pays the probe at its first load; imported models are
 * recorded at import (migrations 8 and 9).
 */
import type { SqliteDatabase } from './database';

export interface ProbeRecord {
  readonly sha256: string;
  /** The settings that change the model's memory, as probeSettingsKey writes them. */
  readonly settingsKey: string;
  readonly peakMiB: number;
  /** model.loadMemoryMiB when it passed. */
  readonly capMiB: number;
  /** Name, version and file, for whoever reads the table. */
  readonly model: string;
  readonly at: Date;
}

export class ProbedModels {
  constructor(private readonly db: SqliteDatabase) {}

  /**
   * The file passed here with these settings and a peak that fits `capMiB` (a cap lowered below its
   * peak, or other settings, probe it again).
   */
  passed(sha256: string, settingsKey: string, capMiB: number): boolean {
    const row = this.db.prepare('SELECT peak_mib FROM model_probes WHERE sha256 = ? AND settings_key = ?').get(sha256, settingsKey) as
      { peak_mib: number } | undefined;
    return row !== undefined && row.peak_mib <= capMiB;
  }

  record(r: ProbeRecord): void {
    this.db
      .prepare(
        `INSERT INTO model_probes (sha256, settings_key, peak_mib, cap_mib, model, probed_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (sha256, settings_key) DO UPDATE SET peak_mib = excluded.peak_mib, cap_mib = excluded.cap_mib, model = excluded.model, probed_at = excluded.probed_at`,
      )
      .run(r.sha256, r.settingsKey, r.peakMiB, r.capMiB, r.model, r.at.toISOString());
  }
}
