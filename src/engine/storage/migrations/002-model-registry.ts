/** Migration 2 of the station's SQLite log (model registry). Shipped: never edit it; add the next. */
import type { Migration } from './migration';

export const migration002: Migration = {
  version: 2,
  name: 'model registry',
  sql: `
    -- Models imported into the data dir (data-dir/models/<name>/<version>/), one row each.
    CREATE TABLE models (
      id             INTEGER PRIMARY KEY AUTOINCREMENT,
      name           TEXT    NOT NULL,
      version        TEXT    NOT NULL,
      task           TEXT    NOT NULL,
      sha256         TEXT    NOT NULL,            -- of the stored model.onnx, checked at every load
      source_sha256  TEXT    NOT NULL,            -- of the file as it was imported (before repairs)
      dir            TEXT    NOT NULL,            -- relative to the data dir
      source         TEXT    NOT NULL,            -- where it was imported from
      imported_at    TEXT    NOT NULL,            -- ISO 8601, UTC
      imported_by    TEXT    NOT NULL,
      notes_json     TEXT    NOT NULL DEFAULT '[]', -- what the import repaired
      UNIQUE (name, version)
    );
    -- Every activation and rollback, append-only: the active model is the newest row.
    CREATE TABLE model_activations (
      seq        INTEGER PRIMARY KEY AUTOINCREMENT,
      model_id   INTEGER NOT NULL REFERENCES models (id),
      action     TEXT    NOT NULL CHECK (action IN ('activate', 'rollback')),
      at         TEXT    NOT NULL,
      actor      TEXT    NOT NULL,
      reason     TEXT
    );
    CREATE TRIGGER model_activations_no_update BEFORE UPDATE ON model_activations
      BEGIN SELECT RAISE(ABORT, 'model activation history is append-only'); END;
    CREATE TRIGGER model_activations_no_delete BEFORE DELETE ON model_activations
      BEGIN SELECT RAISE(ABORT, 'model activation history is append-only'); END;
  `,
};
