/** Migration 9 of the station's SQLite log (model load probes by settings). Shipped: never edit it; add the next. */
import type { Migration } from './migration';

export const migration009: Migration = {
  version: 9,
  name: 'model load probes by settings',
  sql: `
    -- A pass of the load probe holds for the file and the settings it was probed with: the probe now runs
    -- the line's batch on inputs at the extremes of what preprocessing gives, and providers, threads,
    -- optimisation, arena and batch change a model's memory (issue 11, item 5, review). settings_key is
    -- models/first-load-gate.ts probeSettingsKey. Passes of migration 8 (batch 1, zeros only) are kept
    -- for the record with the key '', which no load asks for: each file is probed once more.
    CREATE TABLE model_probes_by_settings (
      sha256        TEXT    NOT NULL,
      settings_key  TEXT    NOT NULL,
      peak_mib      REAL    NOT NULL,
      cap_mib       INTEGER NOT NULL,               -- model.loadMemoryMiB when it passed
      model         TEXT    NOT NULL,               -- name, version and file, for the record
      probed_at     TEXT    NOT NULL,               -- ISO 8601, UTC
      PRIMARY KEY (sha256, settings_key)
    );
    INSERT INTO model_probes_by_settings (sha256, settings_key, peak_mib, cap_mib, model, probed_at)
      SELECT sha256, '', peak_mib, cap_mib, model, probed_at FROM model_probes;
    DROP TABLE model_probes;
    ALTER TABLE model_probes_by_settings RENAME TO model_probes;
  `,
};
