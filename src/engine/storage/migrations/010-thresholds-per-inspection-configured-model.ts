/** Migration 10 of the station's SQLite log (thresholds per inspection, the configured model in the registry). Shipped: never edit it; add the next. */
import type { Migration } from './migration';

export const migration010: Migration = {
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
};
