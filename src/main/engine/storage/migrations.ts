/**
 * Numbered, append-only migrations of the station's SQLite log. Never edit a
 * migration that has shipped: add the next one. PRAGMA user_version holds the
 * number of the last migration applied. Each has a test that migrates a
 * database made by the previous version (test/engine/storage/migrations.test.ts).
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
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
  },
  {
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
  },
  {
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
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
