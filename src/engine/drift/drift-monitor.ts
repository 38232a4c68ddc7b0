/**
 * Drift on the running line (issue 16): every decided item's reject score
 * against the running model's reference (its calibration's labelled scores)
 * a window at a time (score-drift.ts), and its reject and divert rates
 * against where they started (Page–Hinkley). Each raises a drift alarm that
 * says what moved and since when — a warning: the model still decides, the
 * line runs — and clears when a window looks like the reference again.
 * A new model starts everything afresh.
 */
import type { DriftConfig } from '../../shared/config';
import type { Decision } from '../../shared/decision';
import type { AlarmBoard } from '../alarms/alarm-board';
import { PageHinkley, ScoreDrift, type WindowVerdict } from './score-drift';

export interface DriftItem {
  readonly model: { readonly name: string; readonly version: string };
  readonly decision: Decision;
  /** Null when no valid score was had (a fail-safe reject): counted in no test. */
  readonly rejectScore: number | null;
  readonly failSafe: boolean;
  readonly at: number;
}

/** What the Diagnostics chart draws: one point per window. */
export interface DriftPoint {
  readonly at: number;
  readonly statistic: number;
  readonly critical: number;
  readonly mean: number;
}

const HISTORY = 200;
/** A rate alarm stands this many items after its last detection, then clears (the rate has stopped rising). */
const RATE_ALARM_HOLD_ITEMS = 1000;

export class DriftMonitor {
  private key = '';
  private scores: ScoreDrift | null = null;
  private rejects: PageHinkley | null = null;
  private diverts: PageHinkley | null = null;
  private scoreSince: number | null = null;
  /** Items since each rate alarm was last raised; null while it is not raised. */
  private readonly rateQuiet = new Map<string, number | null>([
    ['drift-rejects', null],
    ['drift-diverts', null],
  ]);
  /** The windows so far for the running model, oldest first (at most HISTORY). */
  readonly points: DriftPoint[] = [];
  /** Alarms raised since start: the false-alarm count where nothing moved. */
  raised = 0;

  constructor(
    private readonly deps: {
      readonly config: DriftConfig;
      readonly alarms: AlarmBoard;
      /** The running model's reference scores (its calibration in force), or null: then no score test. */
      readonly reference: () => readonly number[] | null;
    },
  ) {}

  /** What the Diagnostics chart shows: the windows so far, and whether there is a reference to test against. */
  windows(): { window: number; alpha: number; hasReference: boolean; points: DriftPoint[] } {
    return { window: this.deps.config.window, alpha: this.deps.config.alpha, hasReference: this.scores !== null, points: [...this.points] };
  }

  observe(item: DriftItem): void {
    const key = `${item.model.name} ${item.model.version}`;
    if (key !== this.key) this.restart(key);
    if (item.failSafe) return;
    const { config, alarms } = this.deps;
    if (this.scores && item.rejectScore !== null) {
      const verdict = this.scores.add(item.rejectScore);
      if (verdict) this.onWindow(verdict, item.at);
    }
    this.holdRateAlarms();
    if (this.rejects?.add(item.decision === 'pit' ? 1 : 0)) {
      this.raised++;
      this.rateQuiet.set('drift-rejects', 0);
      alarms.raise(
        'drift-rejects',
        'drift',
        'warning',
        `reject rate drift: the share of items rejected rose lastingly (Page–Hinkley, λ ${config.rateLambda}) by ${new Date(item.at).toISOString()}`,
      );
    }
    if (this.diverts?.add(item.decision === 'maybe' ? 1 : 0)) {
      this.raised++;
      this.rateQuiet.set('drift-diverts', 0);
      alarms.raise(
        'drift-diverts',
        'drift',
        'warning',
        `divert rate drift: the share of items diverted rose lastingly (Page–Hinkley, λ ${config.rateLambda}) by ${new Date(item.at).toISOString()}`,
      );
    }
  }

  /** A rate alarm clears once the rate has risen no further for RATE_ALARM_HOLD_ITEMS items. */
  private holdRateAlarms(): void {
    for (const [id, quiet] of this.rateQuiet) {
      if (quiet === null) continue;
      if (quiet + 1 >= RATE_ALARM_HOLD_ITEMS) {
        this.rateQuiet.set(id, null);
        this.deps.alarms.clear(id, `no further rise over ${RATE_ALARM_HOLD_ITEMS} items`);
      } else this.rateQuiet.set(id, quiet + 1);
    }
  }

  private onWindow(v: WindowVerdict, at: number): void {
    this.points.push({ at, statistic: v.statistic, critical: v.critical, mean: v.mean });
    if (this.points.length > HISTORY) this.points.shift();
    const { alarms } = this.deps;
    if (v.drifted) {
      if (this.scoreSince === null) {
        this.scoreSince = at;
        this.raised++;
      }
      const way = v.mean > v.referenceMean ? 'up' : 'down';
      alarms.raise(
        'drift-scores',
        'drift',
        'warning',
        `score drift since ${new Date(this.scoreSince).toISOString()}: the last ${v.items} scores differ from the model's reference ` +
          `(KS ${v.statistic.toFixed(3)} > ${v.critical.toFixed(3)}; mean ${v.mean.toFixed(3)}, ${way} from ${v.referenceMean.toFixed(3)})`,
      );
    } else if (this.scoreSince !== null) {
      this.scoreSince = null;
      alarms.clear('drift-scores');
    }
  }

  private restart(key: string): void {
    const { config, alarms } = this.deps;
    this.key = key;
    this.points.length = 0;
    this.scoreSince = null;
    for (const id of ['drift-scores', 'drift-rejects', 'drift-diverts']) alarms.clear(id);
    for (const id of this.rateQuiet.keys()) this.rateQuiet.set(id, null);
    const reference = this.deps.reference();
    this.scores = config.window > 0 && reference && reference.length >= 20 ? new ScoreDrift(reference, { window: config.window, alpha: config.alpha }) : null;
    const rates = config.rateLambda > 0;
    this.rejects = rates ? new PageHinkley(config.rateDelta, config.rateLambda) : null;
    this.diverts = rates ? new PageHinkley(config.rateDelta, config.rateLambda) : null;
  }
}
