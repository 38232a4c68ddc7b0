/** Migration 11 of the station's SQLite log (events found by kind). Shipped: never edit it; add the next. */
import type { Migration } from './migration';

export const migration011: Migration = {
  version: 11,
  name: 'events found by kind',
  sql: `
    -- Diagnostics filters the event log by kind (issue 12): sign-ins and lock-outs must not scroll away behind
    -- a chatty kind, and finding the last few of a rare kind must not read the whole log.
    CREATE INDEX events_by_kind ON events (kind, seq);
  `,
};
