/** Migration 15 of the station's SQLite log (each PLC trigger's times). Shipped: never edit it; add the next. */
import type { Migration } from './migration';

export const migration015: Migration = {
  version: 15,
  name: 'PLC trigger cycles',
  sql: `
    -- One row a PLC trigger once its cycle ended (issue 17, engine/plc/cycle-times.ts): the trigger, the item it
    -- became (inspections.frame_id of the same run), its verdict, and each stage in ms — trigger to frame, frame to
    -- decision, decision to command (the result shown to the PLC), command to the ejector's confirmation — null
    -- where the stage did not happen; the ending says why it stopped there.
    CREATE TABLE plc_cycles (
      id INTEGER PRIMARY KEY,
      trigger_id INTEGER NOT NULL,
      item_id INTEGER NOT NULL,
      triggered_at TEXT NOT NULL,
      decision TEXT NOT NULL CHECK (decision IN ('clean', 'maybe', 'pit')),
      error_code INTEGER NOT NULL,
      frame_ms REAL,
      decision_ms REAL,
      command_ms REAL,
      confirm_ms REAL,
      ending TEXT NOT NULL CHECK (ending IN ('shown', 'confirmed', 'missing', 'lost', 'not-shown', 'stopped'))
    );
    CREATE INDEX plc_cycles_by_time ON plc_cycles (triggered_at);
  `,
};
