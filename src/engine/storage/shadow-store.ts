/**
 * Shadow trials in the log (migration 14): one row a trial, its figures
 * rewritten as it runs and kept when it ends, with who promoted or
 * discarded it and why. Read back through the schema.
 */
import { ShadowTrialSchema, type ShadowFigures, type ShadowTrial } from '../../shared/shadow';
import type { SqliteDatabase } from './database';
import type { MainWrites } from './main-writes';

interface Row {
  id: number;
  model_id: number;
  model_name: string;
  model_version: string;
  live_name: string;
  live_version: string;
  thresholds_json: string;
  state: string;
  started_at: string;
  started_by: string;
  stop_items: number;
  stop_until: string;
  share: number;
  ended_at: string | null;
  ended_because: string | null;
  decided_by: string | null;
  decided_reason: string | null;
  figures_json: string;
}

export type NewTrial = Omit<ShadowTrial, 'id' | 'endedAt' | 'endedBecause' | 'decidedBy' | 'decidedReason' | 'kept' | 'state'>;

export class ShadowStore {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly writes: MainWrites,
  ) {}

  /** Stored; `also(id)` writes its audit entry in the same transaction. */
  add(t: NewTrial, also: (id: number) => void): number {
    return this.writes.run('storing the shadow trial', () =>
      this.db.transaction(() => {
        const id = Number(
          this.db
            .prepare(
              `INSERT INTO shadow_trials (model_id, model_name, model_version, live_name, live_version, thresholds_json, state, started_at, started_by,
               stop_items, stop_until, share, figures_json) VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              ...[t.candidate.id, t.candidate.name, t.candidate.version, t.live.name, t.live.version, JSON.stringify(t.thresholds)],
              ...[t.startedAt, t.startedBy, t.stopAt.items, t.stopAt.until, t.share, JSON.stringify(t.figures)],
            ).lastInsertRowid,
        );
        also(id);
        return id;
      })(),
    );
  }

  saveFigures(id: number, figures: ShadowFigures): void {
    this.writes.run('the shadow trial figures', () =>
      this.db.prepare('UPDATE shadow_trials SET figures_json = ? WHERE id = ?').run(JSON.stringify(figures), id),
    );
  }

  end(id: number, state: 'finished' | 'failed', at: Date, because: string, figures: ShadowFigures): void {
    this.writes.run('ending the shadow trial', () =>
      this.db
        .prepare(`UPDATE shadow_trials SET state = ?, ended_at = ?, ended_because = ?, figures_json = ? WHERE id = ? AND state = 'running'`)
        .run(state, at.toISOString(), because, JSON.stringify(figures), id),
    );
  }

  /**
   * Promoted or discarded, only from `from` (a trial already decided, or decided meanwhile, is not decided again);
   * `also` writes its audit entry in the same transaction. False when the trial was not in one of those states.
   */
  decide(id: number, from: readonly ('finished' | 'failed')[], state: 'promoted' | 'discarded', actor: string, reason: string, also: () => void): boolean {
    return this.writes.run(`the shadow trial ${state === 'promoted' ? 'promotion' : 'discard'}`, () =>
      this.db.transaction(() => {
        const changed = this.db
          .prepare(`UPDATE shadow_trials SET state = ?, decided_by = ?, decided_reason = ? WHERE id = ? AND state IN (${from.map(() => '?').join(', ')})`)
          .run(state, actor, reason, id, ...from).changes;
        if (changed === 0) return false;
        also();
        return true;
      })(),
    );
  }

  get(id: number, kept: number): ShadowTrial | null {
    const row = this.db.prepare('SELECT * FROM shadow_trials WHERE id = ?').get(id) as Row | undefined;
    return row ? trialOf(row, kept) : null;
  }

  latestId(): number | null {
    const row = this.db.prepare('SELECT id FROM shadow_trials ORDER BY id DESC LIMIT 1').get() as { id: number } | undefined;
    return row?.id ?? null;
  }

  /** Trials left running when the station stopped (a crash, a power cut): ended, since their candidate is gone. */
  endAbandoned(at: Date): number {
    return this.writes.run('ending shadow trials left running', () =>
      Number(
        this.db
          .prepare(`UPDATE shadow_trials SET state = 'failed', ended_at = ?, ended_because = 'the station stopped while it ran' WHERE state = 'running'`)
          .run(at.toISOString()).changes,
      ),
    );
  }
}

function trialOf(r: Row, kept: number): ShadowTrial {
  return ShadowTrialSchema.parse({
    id: r.id,
    candidate: { id: r.model_id, name: r.model_name, version: r.model_version },
    live: { name: r.live_name, version: r.live_version },
    thresholds: JSON.parse(r.thresholds_json) as unknown,
    state: r.state,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    endedBecause: r.ended_because,
    stopAt: { items: r.stop_items, until: r.stop_until },
    share: r.share,
    startedBy: r.started_by,
    decidedBy: r.decided_by,
    decidedReason: r.decided_reason,
    figures: JSON.parse(r.figures_json) as unknown,
    kept,
  });
}
