/**
 * The station's event log in SQLite: alarms, health changes, fail-safe. Events
 * are rare (a handful a minute at worst), so each is committed at once.
 */
import type { StationEvent } from '../../../shared/alarms';
import type { SqliteDatabase } from './database';

export class EventLog {
  private readonly insert;

  constructor(private readonly db: SqliteDatabase) {
    this.insert = db.prepare('INSERT INTO events (at, kind, severity, message, data_json) VALUES (?, ?, ?, ?, ?)');
  }

  append(event: { at: Date; kind: string; severity: StationEvent['severity']; message: string; data?: unknown }): void {
    this.insert.run(event.at.toISOString(), event.kind, event.severity, event.message, event.data === undefined ? null : JSON.stringify(event.data));
  }

  recent(limit: number): StationEvent[] {
    return this.db.prepare('SELECT seq, at, kind, severity, message FROM events ORDER BY seq DESC LIMIT ?').all(limit) as StationEvent[];
  }
}
