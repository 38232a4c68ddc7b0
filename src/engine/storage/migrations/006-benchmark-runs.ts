/** Migration 6 of the station's SQLite log (benchmark runs). Shipped: never edit it; add the next. */
import type { Migration } from './migration';

export const migration006: Migration = {
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
};
