/** Migration 14 of the station's SQLite log (shadow trials, captures and their labels). Shipped: never edit it; add the next. */
import type { Migration } from './migration';

export const migration014: Migration = {
  version: 14,
  name: 'shadow trials, captures and labels',
  sql: `
    -- A candidate model's trial beside the live one (issue 16, engine/shadow/): what it was held to, how it ended,
    -- who promoted or discarded it and why. The figures are rewritten as the trial runs, then kept.
    CREATE TABLE shadow_trials (
      id INTEGER PRIMARY KEY,
      model_id INTEGER NOT NULL REFERENCES models(id),
      model_name TEXT NOT NULL,
      model_version TEXT NOT NULL,
      live_name TEXT NOT NULL,
      live_version TEXT NOT NULL,
      thresholds_json TEXT NOT NULL CHECK (json_valid(thresholds_json)),
      state TEXT NOT NULL CHECK (state IN ('running', 'finished', 'promoted', 'discarded', 'failed')),
      started_at TEXT NOT NULL,
      started_by TEXT NOT NULL,
      stop_items INTEGER NOT NULL,
      stop_until TEXT NOT NULL,
      share REAL NOT NULL,
      ended_at TEXT,
      ended_because TEXT,
      decided_by TEXT,
      decided_reason TEXT,
      figures_json TEXT NOT NULL CHECK (json_valid(figures_json))
    );

    -- Items kept to teach from (engine/capture/): maybe-band items, shadow disagreements, items from drift windows,
    -- a random sample, and items a person labelled from the reject strip or History. The picture is a file of its own
    -- under captures/ (never the inspection's kept image, which retention may remove). label: what a person said it
    -- really was, the newest word; every labelling is also in the audit trail, by person.
    CREATE TABLE captures (
      id INTEGER PRIMARY KEY,
      at TEXT NOT NULL,
      frame_id INTEGER NOT NULL,
      reason TEXT NOT NULL CHECK (reason IN ('maybe', 'disagreement', 'drift', 'random', 'person')),
      model_name TEXT NOT NULL,
      model_version TEXT NOT NULL,
      decision TEXT NOT NULL CHECK (decision IN ('clean', 'maybe', 'pit')),
      reject_score REAL,
      scores_json TEXT CHECK (scores_json IS NULL OR json_valid(scores_json)),
      image_path TEXT NOT NULL,
      bytes INTEGER NOT NULL DEFAULT 0,
      inspection_seq INTEGER,
      trial_id INTEGER REFERENCES shadow_trials(id),
      disagreement TEXT CHECK (disagreement IS NULL OR disagreement IN ('live-rejects-candidate-passes', 'candidate-rejects-live-passes', 'divert-versus-reject')),
      candidate_decision TEXT CHECK (candidate_decision IS NULL OR candidate_decision IN ('clean', 'maybe', 'pit')),
      candidate_score REAL,
      label TEXT CHECK (label IS NULL OR label IN ('good', 'defective')),
      labelled_by TEXT,
      labelled_role TEXT CHECK (labelled_role IS NULL OR labelled_role IN ('operator', 'technician')),
      labelled_at TEXT
    );
    CREATE INDEX captures_by_trial ON captures (trial_id, id) WHERE trial_id IS NOT NULL;
    CREATE INDEX captures_labelled ON captures (label, id) WHERE label IS NOT NULL;
    CREATE UNIQUE INDEX captures_by_inspection ON captures (inspection_seq) WHERE inspection_seq IS NOT NULL;
    CREATE INDEX captures_by_frame ON captures (frame_id, at);
    -- Labels counted per person (the Teach page) without reading the whole audit trail.
    CREATE INDEX audit_by_subject ON audit (subject, actor);
  `,
};
