/**
 * Score drift (issue 16): are the scores the line gives now drawn from the
 * same distribution as the model's reference (its calibration's labelled
 * scores)? A two-sample Kolmogorov–Smirnov test per window of items: the
 * largest gap between the two empirical distribution functions, against the
 * critical value at α (asymptotic: c(α)·√((n + m)/(n·m)), c = √(−ln(α/2)/2)).
 * Pure; the caller feeds scores and acts on what it returns.
 */

export interface DriftOptions {
  /** Items per window compared with the reference. */
  readonly window: number;
  /** The test's false-alarm rate per window (e.g. 0.001: one window in a thousand flagged when nothing moved). */
  readonly alpha: number;
}

export interface WindowVerdict {
  readonly items: number;
  /** The KS statistic: the largest gap between the two distribution functions, 0..1. */
  readonly statistic: number;
  readonly critical: number;
  readonly drifted: boolean;
  /** Mean score in the window and in the reference: which way it moved. */
  readonly mean: number;
  readonly referenceMean: number;
}

/** c(α) of the two-sample KS test, large-sample. */
export function ksCritical(alpha: number, n: number, m: number): number {
  return Math.sqrt(-Math.log(alpha / 2) / 2) * Math.sqrt((n + m) / (n * m));
}

/** The two-sample KS statistic of two ascending arrays. */
export function ksStatistic(a: readonly number[], b: readonly number[]): number {
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < a.length && j < b.length) {
    const x = Math.min(a[i]!, b[j]!);
    while (i < a.length && a[i]! <= x) i++;
    while (j < b.length && b[j]! <= x) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  return d;
}

export class ScoreDrift {
  private readonly reference: number[];
  private readonly referenceMean: number;
  private current: number[] = [];

  constructor(
    reference: readonly number[],
    private readonly options: DriftOptions,
  ) {
    if (reference.length < 20) throw new RangeError(`a drift reference needs at least 20 scores (it has ${reference.length})`);
    this.reference = [...reference].sort((x, y) => x - y);
    this.referenceMean = reference.reduce((s, x) => s + x, 0) / reference.length;
  }

  /** One item's reject score; a verdict when it completes a window, else null. Invalid scores are not counted. */
  add(score: number): WindowVerdict | null {
    if (!Number.isFinite(score)) return null;
    this.current.push(score);
    if (this.current.length < this.options.window) return null;
    const sorted = this.current.sort((x, y) => x - y);
    this.current = [];
    const statistic = ksStatistic(sorted, this.reference);
    const critical = ksCritical(this.options.alpha, sorted.length, this.reference.length);
    const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
    return { items: sorted.length, statistic, critical, drifted: statistic > critical, mean, referenceMean: this.referenceMean };
  }
}

/**
 * Page–Hinkley on a rate (issue 16): the reject or divert rate of the line, item by item (1 or 0), watched for a
 * lasting rise above the rate it started at. `delta` is the change it tolerates; `lambda` how much evidence an alarm
 * takes (larger: fewer false alarms, later alarms).
 */
export class PageHinkley {
  private n = 0;
  private mean = 0;
  private cumulative = 0;
  private minimum = 0;

  constructor(
    private readonly delta: number,
    private readonly lambda: number,
  ) {}

  /** The mean of what it has seen since it (re)started. */
  get currentMean(): number {
    return this.mean;
  }

  /** One observation; true when the rise is past lambda (then it starts again from here). */
  add(x: number): boolean {
    this.n++;
    this.mean += (x - this.mean) / this.n;
    this.cumulative += x - this.mean - this.delta;
    this.minimum = Math.min(this.minimum, this.cumulative);
    if (this.cumulative - this.minimum > this.lambda) {
      this.n = 0;
      this.mean = 0;
      this.cumulative = 0;
      this.minimum = 0;
      return true;
    }
    return false;
  }
}
