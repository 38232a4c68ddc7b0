/**
 * The outbox: what each upload target has yet to receive, read straight from
 * the log's tables in batches ordered by seq, and the progress per target and
 * stream. Reading is one short statement (no read transaction is held open
 * while sending: it would stop WAL checkpoints). Progress is written only
 * after the target acknowledged the batch.
 */
import type { SqliteDatabase } from '../storage/database';
import type { InspectionDbRow } from '../storage/inspection-row';

export const STREAMS = ['inspections', 'audit'] as const;
export type Stream = (typeof STREAMS)[number];

export interface InspectionRecord {
  readonly seq: number;
  readonly frameId: number;
  readonly capturedAt: string;
  readonly origin: string;
  readonly modelName: string;
  readonly modelVersion: string;
  readonly rejectScore: number | null;
  readonly scores: Record<string, number> | null;
  readonly decision: string;
  readonly failSafeReason: string | null;
  readonly decodeMs: number | null;
  readonly preprocessMs: number | null;
  readonly inferenceMs: number | null;
  readonly decisionMs: number | null;
  readonly totalMs: number | null;
}

export interface AuditRecord {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly subject: string;
  readonly old: unknown;
  readonly new: unknown;
  readonly reason: string | null;
}

export type OutboxBatch =
  { readonly stream: 'inspections'; readonly rows: readonly InspectionRecord[] } | { readonly stream: 'audit'; readonly rows: readonly AuditRecord[] };

export interface Progress {
  readonly target: string;
  readonly stream: Stream;
  readonly lastSeq: number;
  readonly sent: number;
  readonly lastSuccessAt: string | null;
  readonly lastError: string | null;
  readonly lastErrorAt: string | null;
}

interface AuditDbRow {
  seq: number;
  at: string;
  actor: string;
  subject: string;
  old_json: string | null;
  new_json: string | null;
  reason: string | null;
}

const parse = (json: string | null): unknown => (json === null ? null : JSON.parse(json));

export class Outbox {
  private readonly readInspections;
  private readonly readAudit;
  private readonly maxSeq: Record<Stream, { get(): unknown }>;

  constructor(private readonly db: SqliteDatabase) {
    this.readInspections = db.prepare('SELECT * FROM inspections WHERE seq > ? ORDER BY seq LIMIT ?');
    this.readAudit = db.prepare('SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?');
    this.maxSeq = {
      inspections: db.prepare('SELECT COALESCE(MAX(seq), 0) AS n FROM inspections'),
      audit: db.prepare('SELECT COALESCE(MAX(seq), 0) AS n FROM audit'),
    };
  }

  register(target: string): void {
    const add = this.db.prepare('INSERT OR IGNORE INTO upload_progress (target, stream) VALUES (?, ?)');
    for (const stream of STREAMS) add.run(target, stream);
  }

  progress(target: string, stream: Stream): Progress {
    const row = this.db.prepare('SELECT * FROM upload_progress WHERE target = ? AND stream = ?').get(target, stream) as
      { last_seq: number; sent: number; last_success_at: string | null; last_error: string | null; last_error_at: string | null } | undefined;
    return {
      target,
      stream,
      lastSeq: row?.last_seq ?? 0,
      sent: row?.sent ?? 0,
      lastSuccessAt: row?.last_success_at ?? null,
      lastError: row?.last_error ?? null,
      lastErrorAt: row?.last_error_at ?? null,
    };
  }

  newest(stream: Stream): number {
    return (this.maxSeq[stream].get() as { n: number }).n;
  }

  read(stream: Stream, afterSeq: number, limit: number): OutboxBatch {
    if (stream === 'audit') {
      const rows = (this.readAudit.all(afterSeq, limit) as AuditDbRow[]).map((r) => ({
        seq: r.seq,
        at: r.at,
        actor: r.actor,
        subject: r.subject,
        old: parse(r.old_json),
        new: parse(r.new_json),
        reason: r.reason,
      }));
      return { stream, rows };
    }
    const rows = (this.readInspections.all(afterSeq, limit) as InspectionDbRow[]).map((r) => ({
      seq: r.seq,
      frameId: r.frame_id,
      capturedAt: r.captured_at,
      origin: r.origin,
      modelName: r.model_name,
      modelVersion: r.model_version,
      rejectScore: r.reject_score,
      scores: parse(r.scores_json) as Record<string, number> | null,
      decision: r.decision,
      failSafeReason: r.fail_safe_reason,
      decodeMs: r.decode_ms,
      preprocessMs: r.preprocess_ms,
      inferenceMs: r.inference_ms,
      decisionMs: r.decision_ms,
      totalMs: r.total_ms,
    }));
    return { stream, rows };
  }

  acknowledged(target: string, stream: Stream, lastSeq: number, rows: number, at: Date): void {
    this.db
      .prepare('UPDATE upload_progress SET last_seq = MAX(last_seq, ?), sent = sent + ?, last_success_at = ? WHERE target = ? AND stream = ?')
      .run(lastSeq, rows, at.toISOString(), target, stream);
  }

  failed(target: string, stream: Stream, error: string, at: Date): void {
    this.db
      .prepare('UPDATE upload_progress SET last_error = ?, last_error_at = ? WHERE target = ? AND stream = ?')
      .run(error, at.toISOString(), target, stream);
  }

  /** The highest seq of `stream` every target has acknowledged (everything, with no target). */
  uploadedThrough(stream: Stream, targets: readonly string[]): number {
    if (targets.length === 0) return Number.MAX_SAFE_INTEGER;
    return Math.min(...targets.map((t) => this.progress(t, stream).lastSeq));
  }
}
