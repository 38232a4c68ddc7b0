/** Migration 5 of the station's SQLite log (station settings). Shipped: never edit it; add the next. */
import type { Migration } from './migration';

export const migration005: Migration = {
  version: 5,
  name: 'station settings',
  sql: `
    -- Settings a technician changed from the UI, kept across restarts (thresholds today).
    -- The audit trail holds their history; this holds what is in force.
    CREATE TABLE settings (
      key        TEXT    PRIMARY KEY,
      value_json TEXT    NOT NULL,
      updated_at TEXT    NOT NULL,                  -- ISO 8601, UTC
      updated_by TEXT    NOT NULL,
      reason     TEXT
    );
  `,
};
