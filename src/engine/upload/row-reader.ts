/**
 * Reads the rows to upload from a log database, by seq: the next ones after
 * what a target acknowledged, or exactly the rows of a batch formed before
 * (outbox.ts, its bounds kept by progress-store.ts). One short statement each, no read transaction held
 * open while sending (it would stop WAL checkpoints). The database may be a
 * moved-aside file opened read-only; a table it lacks (an old version's
 * file) has no rows, and a read that fails is a RowsUnreadableError.
 */
import { UPLOAD_STREAMS } from '../../shared/status';
import type { SqliteDatabase } from '../storage/database';
import type { InspectionDbRow } from '../storage/inspection-row';

/** The streams uploaded, as the status contract names them (src/shared/status.ts). */
export const STREAMS = UPLOAD_STREAMS;
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

export type StreamRows =
  { readonly stream: 'inspections'; readonly rows: readonly InspectionRecord[] } | { readonly stream: 'audit'; readonly rows: readonly AuditRecord[] };

interface AuditDbRow {
  seq: number;
  at: string;
  actor: string;
  subject: string;
  old_json: string | null;
  new_json: string | null;
  reason: string | null;
}

/** The rows could not be read (a corrupt moved-aside file): sending them cannot go on. */
export class RowsUnreadableError extends Error {
  override readonly name = 'RowsUnreadableError';
}

const parse = (json: string | null): unknown => (json === null ? null : JSON.parse(json));

const toInspection = (r: InspectionDbRow): InspectionRecord => ({
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
});

const toAudit = (r: AuditDbRow): AuditRecord => ({
  seq: r.seq,
  at: r.at,
  actor: r.actor,
  subject: r.subject,
  old: parse(r.old_json),
  new: parse(r.new_json),
  reason: r.reason,
});

interface StreamStatements {
  readonly after: { all(after: number, limit: number): unknown[] };
  readonly range: { all(first: number, last: number): unknown[] };
  readonly newest: { get(): unknown };
}

export class RowReader {
  private readonly statements: Partial<Record<Stream, StreamStatements>> = {};

  constructor(db: SqliteDatabase) {
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
    for (const stream of STREAMS) {
      if (!tables.has(stream)) continue;
      this.statements[stream] = {
        after: db.prepare(`SELECT * FROM ${stream} WHERE seq > ? ORDER BY seq LIMIT ?`),
        range: db.prepare(`SELECT * FROM ${stream} WHERE seq BETWEEN ? AND ? ORDER BY seq`),
        newest: db.prepare(`SELECT COALESCE(MAX(seq), 0) AS n FROM ${stream}`),
      };
    }
  }

  /** Up to `limit` rows after `afterSeq`. */
  after(stream: Stream, afterSeq: number, limit: number): StreamRows {
    return this.read(stream, (s) => s.after.all(afterSeq, limit));
  }

  /** Exactly the rows from `first` to `last`: a batch formed before, sent again. */
  range(stream: Stream, first: number, last: number): StreamRows {
    return this.read(stream, (s) => s.range.all(first, last));
  }

  newest(stream: Stream): number {
    const s = this.statements[stream];
    if (!s) return 0;
    try {
      return (s.newest.get() as { n: number }).n;
    } catch (err) {
      throw new RowsUnreadableError(`cannot read ${stream}: ${(err as Error).message}`);
    }
  }

  private read(stream: Stream, query: (s: StreamStatements) => unknown[]): StreamRows {
    const s = this.statements[stream];
    try {
      const raw = s ? query(s) : [];
      return stream === 'audit' ? { stream, rows: (raw as AuditDbRow[]).map(toAudit) } : { stream, rows: (raw as InspectionDbRow[]).map(toInspection) };
    } catch (err) {
      throw new RowsUnreadableError(`cannot read ${stream}: ${(err as Error).message}`);
    }
  }
}
