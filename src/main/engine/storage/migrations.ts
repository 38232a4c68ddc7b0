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
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
