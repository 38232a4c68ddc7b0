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
  {
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
  },
  {
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
  },
  {
    version: 6,
    name: 'benchmark runs',
    sql: `
      -- One row per benchmark run (a plan run on this machine), and one per case it measured.
      CREATE TABLE bench_runs (
        id                  INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at          TEXT    NOT NULL,
        finished_at         TEXT,
        state               TEXT    NOT NULL CHECK (state IN ('running', 'done', 'cancelled', 'failed')),
        actor               TEXT    NOT NULL,
        plan_json           TEXT    NOT NULL,
        machine_json        TEXT    NOT NULL,
        line_rate_fps       REAL    NOT NULL,
        deadline_ms         REAL    NOT NULL,
        line_running        INTEGER NOT NULL,         -- the line ran beside it (figures share the CPU)
        cases               INTEGER NOT NULL,
        error               TEXT,
        recommendation_json TEXT
      );
      CREATE TABLE bench_results (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id       INTEGER NOT NULL REFERENCES bench_runs (id),
        model        TEXT    NOT NULL,                -- the plan's reference (active, registry:3, bundled:…, shaped:…)
        model_label  TEXT    NOT NULL,                -- name and version as loaded
        provider     TEXT    NOT NULL,
        threads      INTEGER NOT NULL,
        scenario     TEXT    NOT NULL CHECK (scenario IN ('single_stream', 'offline', 'line_rate')),
        mode         TEXT    NOT NULL CHECK (mode IN ('latency', 'throughput')),
        batch        INTEGER NOT NULL,
        status       TEXT    NOT NULL CHECK (status IN ('done', 'failed', 'cancelled', 'unavailable')),
        error        TEXT,
        figures_json TEXT
      );
      CREATE INDEX bench_results_run ON bench_results (run_id, id);
    `,
  },
  {
    version: 7,
    name: 'database id, fixed upload batches, moved-aside uploads',
    sql: `
      -- This database's id, made when it is created. Uploaded rows are known by (station, database id, seq),
      -- so a database started after a corrupt one was moved aside never collides with rows the plant already
      -- holds (issue 11, item 9). A database that already held rows keeps the empty id: its rows were
      -- uploaded as (station, seq) by the previous version, and the plant's upgraded tables give them ''.
      CREATE TABLE database_identity (
        only        INTEGER PRIMARY KEY CHECK (only = 1),
        id          TEXT    NOT NULL,
        created_at  TEXT    NOT NULL                  -- ISO 8601, UTC
      );
      INSERT INTO database_identity (only, id, created_at)
        SELECT 1,
          CASE WHEN EXISTS (SELECT 1 FROM inspections) OR EXISTS (SELECT 1 FROM audit) THEN '' ELSE lower(hex(randomblob(16))) END,
          strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
      CREATE TRIGGER database_identity_no_update BEFORE UPDATE ON database_identity
        BEGIN SELECT RAISE(ABORT, 'the database id never changes'); END;

      -- The batch formed for a target and stream and not yet acknowledged. Its bounds are fixed once formed:
      -- it is sent again with the same rows and the same key until the target acknowledges it.
      -- source: '' for this database's rows, else the name of a moved-aside database file being drained.
      CREATE TABLE upload_batches (
        source     TEXT    NOT NULL,
        target     TEXT    NOT NULL,
        stream     TEXT    NOT NULL,
        first_seq  INTEGER NOT NULL,
        last_seq   INTEGER NOT NULL,
        rows       INTEGER NOT NULL,
        formed_at  TEXT    NOT NULL,                  -- ISO 8601, UTC
        PRIMARY KEY (source, target, stream)
      );

      -- Upload progress of the rows of moved-aside (corrupt) database files, per file, target and stream:
      -- every row up to last_seq was acknowledged. Until a row exists, the file's own upload_progress holds.
      CREATE TABLE aside_progress (
        source          TEXT    NOT NULL,
        target          TEXT    NOT NULL,
        stream          TEXT    NOT NULL,
        last_seq        INTEGER NOT NULL DEFAULT 0,
        sent            INTEGER NOT NULL DEFAULT 0,
        last_success_at TEXT,
        last_error      TEXT,
        last_error_at   TEXT,
        PRIMARY KEY (source, target, stream)
      );
    `,
  },
  {
    version: 8,
    name: 'model load probes',
    sql: `
      -- Model files that loaded in the load probe (a child process under model.loadMemoryMiB) on this
      -- station, by the sha256 of the bytes loaded: only a file not in here is probed at its first load
      -- (issue 11, item 5). peak_mib is the probe's peak resident memory, Node and ONNX Runtime included.
      CREATE TABLE model_probes (
        sha256     TEXT    PRIMARY KEY,
        peak_mib   REAL    NOT NULL,
        cap_mib    INTEGER NOT NULL,                  -- model.loadMemoryMiB when it passed
        model      TEXT    NOT NULL,                  -- name, version and file, for the record
        probed_at  TEXT    NOT NULL                   -- ISO 8601, UTC
      );
    `,
  },
  {
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
  },
  {
    version: 10,
    name: 'thresholds per inspection, the configured model in the registry',
    sql: `
      -- The thresholds in force when each item was decided, so that History and the CSV say what a row was
      -- decided with (issue 12). Rows of earlier versions did not record them: NULL, never guessed.
      ALTER TABLE inspections ADD COLUMN pit_threshold REAL;
      ALTER TABLE inspections ADD COLUMN maybe_threshold REAL;

      -- 1: the configured model (model.dir, the bundled demo by default), registered at start so that a rollback
      -- reaches it (issue 12). It is not copied: dir is its folder, absolute, and sha256 its manifest's, checked
      -- at every load like any other.
      ALTER TABLE models ADD COLUMN configured INTEGER NOT NULL DEFAULT 0 CHECK (configured IN (0, 1));
    `,
  },
  {
    version: 11,
    name: 'events found by kind',
    sql: `
      -- Diagnostics filters the event log by kind (issue 12): sign-ins and lock-outs must not scroll away behind
      -- a chatty kind, and finding the last few of a rare kind must not read the whole log.
      CREATE INDEX events_by_kind ON events (kind, seq);
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
