/** Migration 13 of the station's SQLite log (parity gate results). Shipped: never edit it; add the next. */
import type { Migration } from './migration';

export const migration013: Migration = {
  version: 13,
  name: 'model parity results',
  sql: `
    -- What the parity gate found each time a registered model was loaded to decide (issue 16): the Models page shows
    -- the newest; the audit trail has every refusal with both scores. Append-only.
    CREATE TABLE model_parity_results (
      id INTEGER PRIMARY KEY,
      model_id INTEGER NOT NULL REFERENCES models(id),
      at TEXT NOT NULL,
      provider TEXT NOT NULL,
      passed INTEGER NOT NULL CHECK (passed IN (0, 1)),
      message TEXT NOT NULL
    );
    CREATE INDEX model_parity_results_by_model ON model_parity_results (model_id, id);
  `,
};
