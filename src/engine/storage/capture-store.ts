/**
 * Captures in the log (migration 14): items kept to teach from, with their
 * scores, and the newest label a person gave each. Pictures are files under
 * the data folder (capture/capturer.ts writes them first); a row names one.
 */
import { CaptureSchema, type Capture, type CaptureFilter, type CaptureReason, type ItemLabel } from '../../shared/capture';
import type { Decision } from '../../shared/decision';
import type { ShadowDisagreement } from '../../shared/shadow';
import type { SqliteDatabase } from './database';
import type { MainWrites } from './main-writes';

export interface NewCapture {
  readonly at: Date;
  readonly frameId: number;
  readonly reason: CaptureReason;
  readonly model: { readonly name: string; readonly version: string };
  readonly decision: Decision;
  readonly rejectScore: number | null;
  readonly scores: Record<string, number> | null;
  readonly imagePath: string;
  /** The picture file's size. */
  readonly bytes: number;
  readonly inspectionSeq?: number;
  readonly trial?: {
    readonly id: number;
    readonly disagreement: ShadowDisagreement['kind'];
    readonly candidate: { readonly decision: Decision; readonly score: number };
  };
}

interface Row {
  id: number;
  at: string;
  frame_id: number;
  reason: string;
  model_name: string;
  model_version: string;
  decision: string;
  reject_score: number | null;
  image_path: string;
  inspection_seq: number | null;
  trial_id: number | null;
  disagreement: string | null;
  candidate_decision: string | null;
  candidate_score: number | null;
  label: string | null;
  labelled_by: string | null;
  labelled_role: string | null;
  labelled_at: string | null;
}

export interface StoredCapture extends Capture {
  readonly imagePath: string;
  /** Who gave the label in force: an operator's may be changed by anyone, a technician's only by a technician. */
  readonly labelledRole: 'operator' | 'technician' | null;
}

export class CaptureStore {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly writes: MainWrites,
  ) {}

  /** Stored once its picture is on disk; a refused write (full disk) throws the reason (main-writes.ts). */
  add(c: NewCapture): number {
    return this.writes.run('storing a capture', () =>
      Number(
        this.db
          .prepare(
            `INSERT INTO captures (at, frame_id, reason, model_name, model_version, decision, reject_score, scores_json, image_path,
               bytes, inspection_seq, trial_id, disagreement, candidate_decision, candidate_score)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            c.at.toISOString(),
            c.frameId,
            c.reason,
            c.model.name,
            c.model.version,
            c.decision,
            c.rejectScore,
            c.scores ? JSON.stringify(c.scores) : null,
            c.imagePath,
            c.bytes,
            c.inspectionSeq ?? null,
            c.trial?.id ?? null,
            c.trial?.disagreement ?? null,
            c.trial?.candidate.decision ?? null,
            c.trial?.candidate.score ?? null,
          ).lastInsertRowid,
      ),
    );
  }

  get(id: number): StoredCapture | null {
    const row = this.db.prepare('SELECT * FROM captures WHERE id = ?').get(id) as Row | undefined;
    return row ? captureOf(row) : null;
  }

  byInspection(seq: number): StoredCapture | null {
    const row = this.db.prepare('SELECT * FROM captures WHERE inspection_seq = ?').get(seq) as Row | undefined;
    return row ? captureOf(row) : null;
  }

  /** A capture of this camera frame, taken at this moment (frame numbers restart with the station: the time tells them apart). */
  byFrame(frameId: number, at: Date): StoredCapture | null {
    const row = this.db.prepare('SELECT * FROM captures WHERE frame_id = ? AND at = ? ORDER BY id LIMIT 1').get(frameId, at.toISOString()) as Row | undefined;
    return row ? captureOf(row) : null;
  }

  /** The newest first; `beforeId` pages back. */
  list(filter: CaptureFilter, limit: number, beforeId?: number): StoredCapture[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (clause: string, ...values: (string | number)[]): void => {
      where.push(clause);
      args.push(...values);
    };
    if (filter.reason) add('reason = ?', filter.reason);
    if (filter.trialId !== undefined) add('trial_id = ?', filter.trialId);
    if (filter.labelled === 'yes') add('label IS NOT NULL');
    if (filter.labelled === 'no') add('label IS NULL');
    if (beforeId !== undefined) add('id < ?', beforeId);
    const sql = `SELECT * FROM captures ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, limit) as Row[]).map(captureOf);
  }

  /** Every labelled capture, oldest first (a labelled set). */
  labelled(): StoredCapture[] {
    return (this.db.prepare('SELECT * FROM captures WHERE label IS NOT NULL ORDER BY id').all() as Row[]).map(captureOf);
  }

  setLabel(id: number, label: ItemLabel, by: { readonly actor: string; readonly role: 'operator' | 'technician' }, at: Date, also?: () => void): void {
    this.writes.run('storing the label', () =>
      this.db.transaction(() => {
        this.db
          .prepare('UPDATE captures SET label = ?, labelled_by = ?, labelled_role = ?, labelled_at = ? WHERE id = ?')
          .run(label, by.actor, by.role, at.toISOString(), id);
        also?.();
      })(),
    );
  }

  /** The pictures' bytes, all captures together. */
  bytes(): number {
    return (this.db.prepare('SELECT COALESCE(SUM(bytes), 0) AS n FROM captures').get() as { n: number }).n;
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM captures').get() as { n: number }).n;
  }

  countByReason(): Record<string, number> {
    const rows = this.db.prepare('SELECT reason, COUNT(*) AS n FROM captures GROUP BY reason').all() as { reason: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.reason, r.n]));
  }

  countByLabel(): { good: number; defective: number } {
    const rows = this.db.prepare('SELECT label, COUNT(*) AS n FROM captures WHERE label IS NOT NULL GROUP BY label').all() as { label: string; n: number }[];
    const by = Object.fromEntries(rows.map((r) => [r.label, r.n]));
    return { good: by['good'] ?? 0, defective: by['defective'] ?? 0 };
  }

  countForTrial(trialId: number): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM captures WHERE trial_id = ?').get(trialId) as { n: number }).n;
  }
}

function captureOf(r: Row): StoredCapture {
  const parsed = CaptureSchema.parse({
    id: r.id,
    at: r.at,
    frameId: r.frame_id,
    reason: r.reason,
    model: { name: r.model_name, version: r.model_version },
    decision: r.decision,
    rejectScore: r.reject_score,
    inspectionSeq: r.inspection_seq,
    trialId: r.trial_id,
    disagreement: r.disagreement,
    candidate: r.candidate_decision !== null && r.candidate_score !== null ? { decision: r.candidate_decision, score: r.candidate_score } : null,
    label: r.label,
    labelledBy: r.labelled_by,
    labelledAt: r.labelled_at,
  });
  return { ...parsed, imagePath: r.image_path, labelledRole: r.labelled_role === 'operator' || r.labelled_role === 'technician' ? r.labelled_role : null };
}
