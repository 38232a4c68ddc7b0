/** Migration 3 of the station's SQLite log (events). Shipped: never edit it; add the next. */
import type { Migration } from './migration';

export const migration003: Migration = {
  version: 3,
  name: 'events',
  sql: `
    -- What happened to the station, for the log and the UI: alarms raised and cleared,
    -- machine-health changes, fail-safe engaged. Append-only.
    CREATE TABLE events (
      seq        INTEGER PRIMARY KEY AUTOINCREMENT,
      at         TEXT    NOT NULL,                  -- ISO 8601, UTC
      kind       TEXT    NOT NULL,                  -- camera, model, sensor, health, fail-safe, …
      severity   TEXT    NOT NULL CHECK (severity IN ('info', 'warning', 'alarm')),
      message    TEXT    NOT NULL,
      data_json  TEXT
    );
    CREATE INDEX events_at ON events (at);
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
      BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
      BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
  `,
};
