/** Migration 12 of the station's SQLite log (calibrations of model versions). Shipped: never edit it; add the next. */
import type { Migration } from './migration';

export const migration012: Migration = {
  version: 12,
  name: 'model calibrations',
  sql: `
    -- Thresholds certified on a labelled set (issue 15), kept with the model version they were measured on:
    -- by name, version and the file's sha256, since the configured model has no registry row until it is
    -- registered, and a calibration of one file must never vouch for another. Append-only: the newest is in force.
    CREATE TABLE model_calibrations (
      id INTEGER PRIMARY KEY,
      model_name TEXT NOT NULL,
      model_version TEXT NOT NULL,
      model_sha256 TEXT NOT NULL,
      at TEXT NOT NULL,
      actor TEXT NOT NULL,
      calibration_json TEXT NOT NULL CHECK (json_valid(calibration_json))
    );
    CREATE INDEX model_calibrations_by_model ON model_calibrations (model_name, model_version, id);
  `,
};
