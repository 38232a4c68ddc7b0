/** Migration 1 of the station's SQLite log (inspections). Shipped: never edit it; add the next. */
import type { Migration } from './migration';

export const migration001: Migration = {
  version: 1,
  name: 'inspections',
  sql: `
    CREATE TABLE inspections (
      seq              INTEGER PRIMARY KEY AUTOINCREMENT,
      frame_id         INTEGER NOT NULL,
      captured_at      TEXT    NOT NULL,            -- ISO 8601, UTC
      origin           TEXT    NOT NULL,            -- where the frame came from
      model_name       TEXT    NOT NULL,
      model_version    TEXT    NOT NULL,
      reject_score     REAL,                        -- NULL: no valid score (fail-safe)
      scores_json      TEXT,                        -- {"label": score, ...}
      decision         TEXT    NOT NULL CHECK (decision IN ('clean', 'maybe', 'pit')),
      fail_safe_reason TEXT,
      decode_ms        REAL,
      preprocess_ms    REAL,
      inference_ms     REAL,
      decision_ms      REAL,
      total_ms         REAL
    );
    CREATE INDEX inspections_captured_at ON inspections (captured_at);
    CREATE INDEX inspections_decision ON inspections (decision, captured_at);
  `,
};
