/** Migration 7 of the station's SQLite log (database id, fixed upload batches, moved-aside uploads). Shipped: never edit it; add the next. */
import type { Migration } from './migration';

export const migration007: Migration = {
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
};
