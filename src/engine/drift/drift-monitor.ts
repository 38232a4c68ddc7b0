/**
 * Drift on the running line (issue 16): every decided item's reject score
 * against the running model's reference a window at a time (score-drift.ts),
 * and its reject and divert rates against where they stood (Page–Hinkley).
 * Each raises a drift alarm that says what moved and since when — a warning:
 * the model still decides, the line runs.
 *
 * The reference is, by default, the line's own first windows under this
 * model: a calibration set's mix of defects and good items is rarely the
 * line's (22 % defects against a line's 2 % would read as drift on every
 * window). `drift.reference: "calibration"` holds the scores to the
 * calibration's instead, for a calibration made on items from the line.
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
/** Windows of the line's own scores taken as the reference when the reference is the line. */
const BASELINE_WINDOWS = 2;

/** One rate watched: Page–Hinkley for a lasting rise; the alarm stands until the rate is back near where it stood. */
class RateWatch {
  private readonly detector: PageHinkley;
  /** The rate before the rise (the detector's mean when it fired), and the recent rate (exponentially weighted). */
  private baseline: number | null = null;
  private recent = 0;
  private seen = 0;

  constructor(
    private readonly delta: number,
    lambda: number,
  ) {
    this.detector = new PageHinkley(delta, lambda);
  }

  /** 'raised' when a lasting rise is found, 'cleared' when the rate is back, else null. */
  add(x: number): 'raised' | 'cleared' | null {
    this.seen++;
    this.recent += (x - this.recent) / Math.min(this.seen, 500);
    const before = this.detector.currentMean;
    if (this.detector.add(x)) {
      const raised = this.baseline === null;
      this.baseline ??= before;
      return raised ? 'raised' : null;
    }
    if (this.baseline !== null && this.recent <= this.baseline + 2 * this.delta) {
      this.baseline = null;
      return 'cleared';
    }
    return null;
  }
}

export class DriftMonitor {
  private key = '';
  private scores: ScoreDrift | null = null;
  private baseline: number[] | null = null;
  private rejects: RateWatch | null = null;
  private diverts: RateWatch | null = null;
  private scoreSince: number | null = null;
  /** The windows so far for the running model, oldest first (at most HISTORY). */
  readonly points: DriftPoint[] = [];
  /** Alarms raised since start: the false-alarm count where nothing moved. */
  raised = 0;

  constructor(
    private readonly deps: {
      readonly config: DriftConfig;
      readonly alarms: AlarmBoard;
      /** The running model's calibration scores, or null (read only when the reference is the calibration). */
      readonly calibrationScores: () => readonly number[] | null;
      /** Told when something in here failed: drift watching must never stop the line. */
      readonly onError?: (err: unknown) => void;
    },
  ) {}

  /** What the Diagnostics chart shows: the windows so far, and whether there is a reference to test against yet. */
  windows(): { window: number; alpha: number; hasReference: boolean; points: DriftPoint[] } {
    return { window: this.deps.config.window, alpha: this.deps.config.alpha, hasReference: this.scores !== null, points: [...this.points] };
  }

  /** One decided item. Never throws: it runs in the line's own sink. */
  observe(item: DriftItem): void {
    try {
      this.watch(item);
    } catch (err) {
      this.deps.onError?.(err);
    }
  }

  private watch(item: DriftItem): void {
    const key = `${item.model.name} ${item.model.version}`;
    if (key !== this.key) this.restart(key);
    if (item.failSafe) return;
    const { config } = this.deps;
    if (item.rejectScore !== null && Number.isFinite(item.rejectScore)) {
      if (this.scores) {
        const verdict = this.scores.add(item.rejectScore);
        if (verdict) this.onWindow(verdict, item.at);
      } else if (this.baseline) {
        this.baseline.push(item.rejectScore);
        if (this.baseline.length >= BASELINE_WINDOWS * config.window) {
          this.scores = new ScoreDrift(this.baseline, { window: config.window, alpha: config.alpha });
          this.baseline = null;
        }
      }
    }
    this.rate('drift-rejects', this.rejects, item.decision === 'pit', 'reject rate drift: the share of items rejected rose lastingly', item.at);
    this.rate('drift-diverts', this.diverts, item.decision === 'maybe', 'divert rate drift: the share of items diverted rose lastingly', item.at);
  }

  private rate(id: string, watch: RateWatch | null, hit: boolean, words: string, at: number): void {
    const change = watch?.add(hit ? 1 : 0) ?? null;
    if (change === 'raised') {
      this.raised++;
      this.deps.alarms.raise(id, 'drift', 'warning', `${words} (Page–Hinkley, λ ${this.deps.config.rateLambda}) by ${new Date(at).toISOString()}`);
    } else if (change === 'cleared') {
      this.deps.alarms.clear(id, 'the rate is back where it stood');
    }
  }

  private onWindow(v: WindowVerdict, at: number): void {
    this.points.push({ at, statistic: v.statistic, critical: v.critical, mean: v.mean });
    if (this.points.length > HISTORY) this.points.shift();
    const { alarms, config } = this.deps;
    if (v.drifted) {
      if (this.scoreSince === null) {
        this.scoreSince = at;
        this.raised++;
      }
      const way = v.mean > v.referenceMean ? 'up' : 'down';
      const against = config.reference === 'line' ? "the line's first scores under this model" : "the model's calibration";
      alarms.raise(
        'drift-scores',
        'drift',
        'warning',
        `score drift since ${new Date(this.scoreSince).toISOString()}: the last ${v.items} scores differ from ${against} ` +
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
    this.scores = null;
    this.baseline = null;
    if (config.window > 0) {
      if (config.reference === 'line') this.baseline = [];
      else {
        const reference = this.deps.calibrationScores();
        if (reference && reference.length >= 20) this.scores = new ScoreDrift(reference, { window: config.window, alpha: config.alpha });
      }
    }
    const rates = config.rateLambda > 0;
    this.rejects = rates ? new RateWatch(config.rateDelta, config.rateLambda) : null;
    this.diverts = rates ? new RateWatch(config.rateDelta, config.rateLambda) : null;
  }
}
