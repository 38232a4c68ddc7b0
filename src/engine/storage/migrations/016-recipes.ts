/** Migration 16 of the station's SQLite log (recipes). Shipped: never edit it; add the next. */
import type { Migration } from './migration';

export const migration016: Migration = {
  version: 16,
  name: 'recipes',
  sql: `
    -- A product's recipe (issue 17, shared/recipes.ts): the registered model and the thresholds it decides with,
    -- what the model had been validated with when saved, and the PLC's index for it (RECIPE_REQUEST). Names and
    -- indexes are unique: a PLC asking for 3 gets one recipe, always the same. Changes and switches are audited.
    CREATE TABLE recipes (
      id INTEGER PRIMARY KEY,
      idx INTEGER NOT NULL UNIQUE CHECK (idx BETWEEN 1 AND 65535),
      name TEXT NOT NULL UNIQUE,
      description TEXT NOT NULL DEFAULT '',
      model_id INTEGER NOT NULL REFERENCES models(id),
      thresholds_json TEXT NOT NULL CHECK (json_valid(thresholds_json)),
      validated_json TEXT NOT NULL CHECK (json_valid(validated_json)),
      created_at TEXT NOT NULL,
      created_by TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      updated_by TEXT NOT NULL
    );
  `,
};
