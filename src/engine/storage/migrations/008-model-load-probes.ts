/** Migration 8 of the station's SQLite log (model load probes). Shipped: never edit it; add the next. */
import type { Migration } from './migration';

export const migration008: Migration = {
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
};
