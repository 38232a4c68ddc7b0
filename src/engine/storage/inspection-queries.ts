/**
 * Reads of the inspection log for the UI: pages of filtered rows, the scores
 * behind the what-if panel, CSV exports, kept images, counts for the shift.
 * Plain functions over a connection. The large ones run in the query worker
 * (query-worker.ts) so that they never hold up the line; the shift's counts,
 * two indexed counts, are read on the main connection once at start.
 */
import { stringify } from 'csv-stringify/sync';
import { DECISIONS, type Decision } from '../../shared/decision';
import { MAX_EXPORT_ROWS, type InspectionFilter, type InspectionPage, type LoggedInspection } from '../../shared/history';
import type { Thresholds } from '../../shared/manifest';
import type { DecisionCounts } from '../../shared/status';
import { MAX_SAMPLE_ITEMS, type ScoreSample, type ScoreWindow } from '../../shared/what-if';
import type { SqliteDatabase } from './database';
import type { InspectionDbRow } from './inspection-row';

type Row = InspectionDbRow;

type Param = string | number;

/** The filter as SQL: capture times are ISO 8601 UTC, so they compare as text once normalised. */
export function whereOf(filter: InspectionFilter, extra: { beforeSeq?: number } = {}): { sql: string; params: Param[] } {
  const clauses: string[] = [];
  const params: Param[] = [];
  if (filter.from !== undefined) {
    clauses.push('captured_at >= ?');
    params.push(new Date(filter.from).toISOString());
  }
  if (filter.to !== undefined) {
    clauses.push('captured_at < ?');
    params.push(new Date(filter.to).toISOString());
  }
  if (filter.decisions !== undefined && filter.decisions.length < DECISIONS.length) {
    clauses.push(`decision IN (${filter.decisions.map(() => '?').join(', ')})`);
    params.push(...filter.decisions);
  }
  if (filter.failSafeOnly) clauses.push('fail_safe_reason IS NOT NULL');
  if (extra.beforeSeq !== undefined) {
    clauses.push('seq < ?');
    params.push(extra.beforeSeq);
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

function toLogged(r: Row): LoggedInspection {
  return {
    seq: r.seq,
    frameId: r.frame_id,
    capturedAt: r.captured_at,
    origin: r.origin,
    modelName: r.model_name,
    modelVersion: r.model_version,
    decision: r.decision,
    rejectScore: r.reject_score,
    scores: r.scores_json === null ? null : (JSON.parse(r.scores_json) as Record<string, number>),
    failSafeReason: r.fail_safe_reason,
    totalMs: r.total_ms,
    thresholds: r.pit_threshold === null || r.maybe_threshold === null ? null : { pit: r.pit_threshold, maybe: r.maybe_threshold },
    hasImage: r.image_path !== null && r.image_removed_at === null,
  };
}

export function queryPage(db: SqliteDatabase, filter: InspectionFilter, limit: number, beforeSeq?: number): InspectionPage {
  const all = whereOf(filter);
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM inspections ${all.sql}`).get(...all.params) as { n: number }).n;
  const page = whereOf(filter, beforeSeq !== undefined ? { beforeSeq } : {});
  // One row more than asked tells whether there is another page.
  const rows = db.prepare(`SELECT * FROM inspections ${page.sql} ORDER BY seq DESC LIMIT ?`).all(...page.params, limit + 1) as Row[];
  return { rows: rows.slice(0, limit).map(toLogged), total, hasMore: rows.length > limit };
}

export function scoreSample(
  db: SqliteDatabase,
  window: ScoreWindow,
  model: { readonly name: string; readonly version: string },
  thresholds: Thresholds,
  now: Date,
): ScoreSample {
  type SampleRow = Pick<Row, 'captured_at' | 'model_name' | 'model_version' | 'reject_score' | 'decision' | 'fail_safe_reason'>;
  const columns = 'captured_at, model_name, model_version, reject_score, decision, fail_safe_reason';
  const rows: SampleRow[] =
    'last' in window
      ? (db.prepare(`SELECT ${columns} FROM inspections ORDER BY seq DESC LIMIT ?`).all(window.last) as SampleRow[])
      : (db
          .prepare(`SELECT ${columns} FROM inspections WHERE captured_at >= ? ORDER BY seq DESC LIMIT ?`)
          .all(new Date(now.getTime() - window.sinceMinutes * 60_000).toISOString(), MAX_SAMPLE_ITEMS) as SampleRow[]);
  rows.reverse();
  const scores: number[] = [];
  const decisions: Decision[] = [];
  let failSafe = 0;
  let otherModels = 0;
  let from: string | null = null;
  let to: string | null = null;
  for (const r of rows) {
    if (r.fail_safe_reason !== null || r.reject_score === null) {
      failSafe++;
      continue;
    }
    if (r.model_name !== model.name || r.model_version !== model.version) {
      otherModels++;
      continue;
    }
    scores.push(r.reject_score);
    decisions.push(r.decision);
    from ??= r.captured_at;
    to = r.captured_at;
  }
  return { model: { ...model }, scores, decisions, failSafe, otherModels, from, to, thresholds };
}

/** Scores and thresholds to 4 decimals, times to 2 (the log keeps full doubles: 16 digits in a CSV read as noise; issue 12). */
const SCORE_DECIMALS = 4;
const MS_DECIMALS = 2;
const rounded = (n: number | null, decimals: number): number | null => (n === null ? null : Number(n.toFixed(decimals)));

function roundedScores(json: string | null): string | null {
  if (json === null) return null;
  const scores = JSON.parse(json) as Record<string, number>;
  return JSON.stringify(Object.fromEntries(Object.entries(scores).map(([label, score]) => [label, rounded(score, SCORE_DECIMALS)])));
}

type CsvValue = string | number | null;

/**
 * The CSV's columns and how each is written. The station comes first (files from several stations are put together
 * at the plant); seq is the item's number on this station, frame_id the camera's (counted again from 1 at every start);
 * pit_threshold and maybe_threshold are those the row was decided with (empty on rows logged before they were recorded).
 */
const CSV_COLUMNS: readonly (readonly [string, (r: Row, stationId: string) => CsvValue])[] = [
  ['station_id', (_r, stationId) => stationId],
  ['seq', (r) => r.seq],
  ['captured_at', (r) => r.captured_at],
  ['frame_id', (r) => r.frame_id],
  ['origin', (r) => r.origin],
  ['model_name', (r) => r.model_name],
  ['model_version', (r) => r.model_version],
  ['decision', (r) => r.decision],
  ['reject_score', (r) => rounded(r.reject_score, SCORE_DECIMALS)],
  ['pit_threshold', (r) => rounded(r.pit_threshold, SCORE_DECIMALS)],
  ['maybe_threshold', (r) => rounded(r.maybe_threshold, SCORE_DECIMALS)],
  ['fail_safe_reason', (r) => r.fail_safe_reason],
  ['scores_json', (r) => roundedScores(r.scores_json)],
  ['decode_ms', (r) => rounded(r.decode_ms, MS_DECIMALS)],
  ['preprocess_ms', (r) => rounded(r.preprocess_ms, MS_DECIMALS)],
  ['inference_ms', (r) => rounded(r.inference_ms, MS_DECIMALS)],
  ['decision_ms', (r) => rounded(r.decision_ms, MS_DECIMALS)],
  ['total_ms', (r) => rounded(r.total_ms, MS_DECIMALS)],
  // A kept image that retention removed is no longer there to name.
  ['image_path', (r) => (r.image_removed_at !== null ? null : r.image_path)],
];

export interface CsvFile {
  readonly filename: string;
  readonly rows: number;
  readonly truncated: boolean;
  readonly csv: Uint8Array;
}

/** The filtered rows, oldest first, as CSV with a header row; at most MAX_EXPORT_ROWS. */
export function exportCsv(db: SqliteDatabase, filter: InspectionFilter, stationId: string, now: Date, maxRows = MAX_EXPORT_ROWS): CsvFile {
  const where = whereOf(filter);
  // The newest maxRows+1 rows tell whether the filter matched more than one file holds.
  const rows = db.prepare(`SELECT * FROM inspections ${where.sql} ORDER BY seq DESC LIMIT ?`).all(...where.params, maxRows + 1) as Row[];
  const truncated = rows.length > maxRows;
  const kept = rows.slice(0, maxRows).reverse();
  const text = stringify(
    kept.map((r) => CSV_COLUMNS.map(([, value]) => value(r, stationId))),
    { header: true, columns: CSV_COLUMNS.map(([name]) => name), cast: { number: (n) => String(n) } },
  );
  const stamp = now.toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return { filename: `linesight-${stationId}-inspections-${stamp}.csv`, rows: kept.length, truncated, csv: new TextEncoder().encode(text) };
}

/** The kept image of a row (relative to the data dir), or null when there is none or retention removed it. */
export function imagePathOf(db: SqliteDatabase, seq: number): string | null {
  const row = db.prepare('SELECT image_path, image_removed_at FROM inspections WHERE seq = ?').get(seq) as
    Pick<Row, 'image_path' | 'image_removed_at'> | undefined;
  return row && row.image_path !== null && row.image_removed_at === null ? row.image_path : null;
}

/** Decisions logged since a moment, per decision. */
export function decisionCountsSince(db: SqliteDatabase, since: Date): DecisionCounts {
  const counts: DecisionCounts = { clean: 0, maybe: 0, pit: 0 };
  const rows = db.prepare('SELECT decision, COUNT(*) AS n FROM inspections WHERE captured_at >= ? GROUP BY decision').all(since.toISOString()) as {
    decision: Decision;
    n: number;
  }[];
  for (const r of rows) counts[r.decision] = r.n;
  return counts;
}

/** Decisions logged since a moment, per minute (epoch minute) and decision: seeds the last-hour counts at start. */
export function minuteCountsSince(db: SqliteDatabase, since: Date): { minute: number; decision: Decision; n: number }[] {
  const rows = db
    .prepare('SELECT substr(captured_at, 1, 16) AS minute, decision, COUNT(*) AS n FROM inspections WHERE captured_at >= ? GROUP BY minute, decision')
    .all(since.toISOString()) as { minute: string; decision: Decision; n: number }[];
  return rows.map((r) => ({ minute: Math.floor(Date.parse(`${r.minute}:00Z`) / 60_000), decision: r.decision, n: r.n }));
}
