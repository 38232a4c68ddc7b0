/** Migration 4 of the station's SQLite log (images, audit trail, upload progress). Shipped: never edit it; add the next. */
import type { Migration } from './migration';

export const migration004: Migration = {
  version: 4,
  name: 'images, audit trail, upload progress',
  sql: `
    -- The frame's JPEG, kept for rejected, maybe and sampled clean items (relative to the data dir),
    -- and whether retention has since removed it (only ever after the row was uploaded).
    ALTER TABLE inspections ADD COLUMN image_path TEXT;
    ALTER TABLE inspections ADD COLUMN image_removed_at TEXT;
    CREATE INDEX inspections_images ON inspections (seq) WHERE image_path IS NOT NULL AND image_removed_at IS NULL;

    -- Every change of thresholds, model or configuration: who, when, what it was, what it became, why.
    CREATE TABLE audit (
      seq        INTEGER PRIMARY KEY AUTOINCREMENT,
      at         TEXT    NOT NULL,                  -- ISO 8601, UTC
      actor      TEXT    NOT NULL,
      subject    TEXT    NOT NULL,                  -- thresholds, model, config
      old_json   TEXT,
      new_json   TEXT,
      reason     TEXT
    );
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
      BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
      BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

    -- Per upload target and stream (inspections, audit): every row up to last_seq was acknowledged.
    CREATE TABLE upload_progress (
      target          TEXT    NOT NULL,
      stream          TEXT    NOT NULL,
      last_seq        INTEGER NOT NULL DEFAULT 0,
      sent            INTEGER NOT NULL DEFAULT 0,
      last_success_at TEXT,
      last_error      TEXT,
      last_error_at   TEXT,
      PRIMARY KEY (target, stream)
    );
  `,
};
