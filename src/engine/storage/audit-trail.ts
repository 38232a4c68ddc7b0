/**
 * The audit trail: every change of thresholds, model or configuration, with
 * who, when (UTC), the old value, the new value and why. Append-only,
 * enforced by the database (migration 4's triggers refuse UPDATE and DELETE).
 * Changes are rare: each is committed at once, on the main connection.
 */
import type { AuditEntry } from '../../shared/audit';
import type { SqliteDatabase } from './database';

export class AuditTrail {
  private readonly insert;

  constructor(private readonly db: SqliteDatabase) {
    this.insert = db.prepare('INSERT INTO audit (at, actor, subject, old_json, new_json, reason) VALUES (?, ?, ?, ?, ?, ?)');
  }

  record(entry: { at: Date; actor: string; subject: AuditEntry['subject']; old: unknown; new: unknown; reason: string | null }): number {
    return Number(
      this.insert.run(entry.at.toISOString(), entry.actor, entry.subject, JSON.stringify(entry.old), JSON.stringify(entry.new), entry.reason).lastInsertRowid,
    );
  }

  recent(limit: number): AuditEntry[] {
    const rows = this.db.prepare('SELECT * FROM audit ORDER BY seq DESC LIMIT ?').all(limit) as {
      seq: number;
      at: string;
      actor: string;
      subject: AuditEntry['subject'];
      old_json: string | null;
      new_json: string | null;
      reason: string | null;
    }[];
    return rows.map((r) => ({
      seq: r.seq,
      at: r.at,
      actor: r.actor,
      subject: r.subject,
      old: r.old_json === null ? null : (JSON.parse(r.old_json) as unknown),
      new: r.new_json === null ? null : (JSON.parse(r.new_json) as unknown),
      reason: r.reason,
    }));
  }
}
