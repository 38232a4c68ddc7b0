/**
 * Benchmark runs and their results in the station's SQLite file (migration
 * 6): kept, listed, compared, exported. Writes are rare (one per case), on
 * the main connection. A run left "running" by a station that stopped is
 * marked failed when the store opens.
 *
 * Writes go through MainWrites (main-writes.ts): starting a run that cannot
 * be recorded is refused with a clear message; a result or the end of a run
 * that cannot be written (a full disk) is dropped and counted in the storage
 * health, never thrown into the benchmark worker's message handler, where a
 * throw ended the station (issue 11, item 3).
 */
import {
  BenchFiguresSchema,
  BenchPlanSchema,
  RecommendationSchema,
  type BenchCase,
  type BenchFigures,
  type BenchPlan,
  type BenchResult,
  type BenchRun,
  type BenchRunSummary,
  type Recommendation,
} from '../../shared/bench';
import type { SqliteDatabase } from './database';
import type { MainWrites } from './main-writes';

interface RunRow {
  id: number;
  started_at: string;
  finished_at: string | null;
  state: BenchRunSummary['state'];
  actor: string;
  plan_json: string;
  machine_json: string;
  line_rate_fps: number;
  deadline_ms: number;
  line_running: number;
  cases: number;
  error: string | null;
  recommendation_json: string | null;
  results: number;
}

interface ResultRow {
  id: number;
  run_id: number;
  model: string;
  model_label: string;
  provider: string;
  threads: number;
  scenario: BenchResult['scenario'];
  mode: BenchResult['mode'];
  batch: number;
  status: BenchResult['status'];
  error: string | null;
  figures_json: string | null;
}

export class BenchStore {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly writes: MainWrites,
  ) {
    const stopped = db.prepare(`UPDATE bench_runs SET state = 'failed', error = 'the station stopped during the run', finished_at = ? WHERE state = 'running'`);
    // On a full disk this waits for the next start: the run stays "running" in the list meanwhile.
    writes.attempt(() => stopped.run(new Date().toISOString()));
  }

  create(run: {
    plan: BenchPlan;
    actor: string;
    machine: object;
    lineRateFps: number;
    deadlineMs: number;
    lineRunning: boolean;
    cases: number;
    at: Date;
  }): number {
    return this.writes.run('starting the benchmark run', () =>
      Number(
        this.db
          .prepare(
            `INSERT INTO bench_runs (started_at, state, actor, plan_json, machine_json, line_rate_fps, deadline_ms, line_running, cases)
           VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            run.at.toISOString(),
            run.actor,
            JSON.stringify(run.plan),
            JSON.stringify(run.machine),
            run.lineRateFps,
            run.deadlineMs,
            run.lineRunning ? 1 : 0,
            run.cases,
          ).lastInsertRowid,
      ),
    );
  }

  addResult(
    runId: number,
    r: { case: BenchCase; modelLabel: string; provider: string; status: BenchResult['status']; error: string | null; figures: BenchFigures | null },
  ): number | null {
    let id: number | null = null;
    const insert = this.db.prepare(
      `INSERT INTO bench_results (run_id, model, model_label, provider, threads, scenario, mode, batch, status, error, figures_json)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.writes.attempt(() => {
      id = Number(
        insert.run(
          runId,
          r.case.model,
          r.modelLabel,
          r.provider,
          r.case.threads,
          r.case.scenario,
          r.case.mode,
          r.case.batch,
          r.status,
          r.error,
          r.figures ? JSON.stringify(r.figures) : null,
        ).lastInsertRowid,
      );
    });
    return id;
  }

  /** False when the end could not be written (the run stays "running" until the next start marks it failed). */
  finish(
    runId: number,
    state: Exclude<BenchRunSummary['state'], 'running'>,
    at: Date,
    extra: { error?: string; recommendation?: Recommendation } = {},
  ): boolean {
    const update = this.db.prepare('UPDATE bench_runs SET state = ?, finished_at = ?, error = ?, recommendation_json = ? WHERE id = ?');
    return this.writes.attempt(() =>
      update.run(state, at.toISOString(), extra.error ?? null, extra.recommendation ? JSON.stringify(extra.recommendation) : null, runId),
    );
  }

  list(limit: number): BenchRunSummary[] {
    const rows = this.db
      .prepare('SELECT r.*, (SELECT COUNT(*) FROM bench_results x WHERE x.run_id = r.id) AS results FROM bench_runs r ORDER BY r.id DESC LIMIT ?')
      .all(limit) as RunRow[];
    return rows.map(toSummary);
  }

  get(runId: number): BenchRun | null {
    const row = this.db
      .prepare('SELECT r.*, (SELECT COUNT(*) FROM bench_results x WHERE x.run_id = r.id) AS results FROM bench_runs r WHERE r.id = ?')
      .get(runId) as RunRow | undefined;
    if (!row) return null;
    const items = (this.db.prepare('SELECT * FROM bench_results WHERE run_id = ? ORDER BY id').all(runId) as ResultRow[]).map(toResult);
    const recommendation = row.recommendation_json === null ? null : RecommendationSchema.parse(JSON.parse(row.recommendation_json));
    return { ...toSummary(row), machine: JSON.parse(row.machine_json) as Record<string, unknown>, items, recommendation };
  }

  result(resultId: number): BenchResult | null {
    const row = this.db.prepare('SELECT * FROM bench_results WHERE id = ?').get(resultId) as ResultRow | undefined;
    return row ? toResult(row) : null;
  }
}

function toSummary(r: RunRow): BenchRunSummary {
  return {
    id: r.id,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    state: r.state,
    actor: r.actor,
    plan: BenchPlanSchema.parse(JSON.parse(r.plan_json)),
    lineRateFps: r.line_rate_fps,
    deadlineMs: r.deadline_ms,
    lineRunning: r.line_running === 1,
    cases: r.cases,
    results: r.results,
    error: r.error,
  };
}

function toResult(r: ResultRow): BenchResult {
  return {
    id: r.id,
    runId: r.run_id,
    model: r.model,
    modelLabel: r.model_label,
    provider: r.provider,
    threads: r.threads,
    scenario: r.scenario,
    mode: r.mode,
    batch: r.batch,
    status: r.status,
    error: r.error,
    figures: r.figures_json === null ? null : BenchFiguresSchema.parse(JSON.parse(r.figures_json)),
  };
}
