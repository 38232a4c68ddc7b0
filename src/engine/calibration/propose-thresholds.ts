/**
 * Thresholds proposed from a labelled, scored set (issue 15), each with the
 * bound that vouches for it:
 *
 * - recall on reject ∪ divert (default): the defect recall guarantee
 *   (recall-threshold.ts) sets the lower threshold, so that every defect it
 *   vouches for is at least diverted; the reject threshold is the lowest at or
 *   above it whose upper bound on good items rejected stays within the
 *   false-reject budget — between the two, items are diverted for a person.
 * - recall on reject alone: the guarantee sets the reject threshold; the
 *   divert band reaches down as far as the budget allows for good items
 *   diverted or rejected.
 *
 * And the cost at any pair of thresholds: defects missed, good items
 * rejected and items diverted per 1,000, each with its one-sided bound.
 */
import { lowerBound, upperBound } from './binomial-bounds';
import { recallThreshold, type RecallThreshold } from './recall-threshold';

export type RecallOn = 'reject-or-divert' | 'reject';

export interface ProposeOptions {
  /** The defect recall to vouch for (default 0.95). */
  readonly target?: number;
  /** The confidence of every bound (default 0.95). */
  readonly confidence?: number;
  /** Good items that may be rejected outright, as a share (upper bound; default 0.02). */
  readonly maxFalseReject?: number;
  readonly recallOn?: RecallOn;
}

export interface Thresholds {
  /** At or above: rejected. */
  readonly reject: number;
  /** At or above (and below reject): diverted. */
  readonly divert: number;
}

/** One rate per 1,000 items of its kind, with its bound (upper for harms, lower for the recall). */
export interface Rate {
  readonly count: number;
  readonly of: number;
  readonly per1000: number;
  readonly boundPer1000: number;
}

export interface Costs {
  readonly thresholds: Thresholds;
  /** Defects neither rejected nor diverted. */
  readonly defectsMissed: Rate;
  /** Defects rejected or diverted, with its lower bound. */
  readonly recall: Rate;
  readonly goodRejected: Rate;
  /** Every item diverted (defect or good), per 1,000 items. */
  readonly diverted: Rate;
}

export interface Proposal {
  /** Null when refused (too few defects for the target). */
  readonly thresholds: Thresholds | null;
  readonly refused: string | null;
  readonly recall: RecallThreshold;
  readonly nDefect: number;
  readonly nGood: number;
  readonly options: Required<ProposeOptions>;
  readonly costs: Costs | null;
  /** What the technician should know about the proposal (a budget the set is too small to show). */
  readonly notes: readonly string[];
}

const rateOf = (count: number, of: number, bound: (k: number, n: number) => number): Rate => ({
  count,
  of,
  per1000: of > 0 ? (1000 * count) / of : 0,
  boundPer1000: of > 0 ? 1000 * bound(count, of) : 1000,
});

export function costsAt(thresholds: Thresholds, defects: readonly number[], goods: readonly number[], confidence = 0.95): Costs {
  const upper = (k: number, n: number): number => upperBound(k, n, confidence);
  const lower = (k: number, n: number): number => lowerBound(k, n, confidence);
  const caught = defects.filter((s) => s >= thresholds.divert).length;
  const divertedAll = [...defects, ...goods].filter((s) => s >= thresholds.divert && s < thresholds.reject).length;
  return {
    thresholds,
    defectsMissed: rateOf(defects.length - caught, defects.length, upper),
    recall: rateOf(caught, defects.length, lower),
    goodRejected: rateOf(goods.filter((s) => s >= thresholds.reject).length, goods.length, upper),
    diverted: rateOf(divertedAll, defects.length + goods.length, upper),
  };
}

/** Items of an ascending list at or above t (binary search). */
function countAtOrAbove(ascending: readonly number[], t: number): number {
  let lo = 0;
  let hi = ascending.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ascending[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return ascending.length - lo;
}

/** The first index of `candidates` (ascending) at which `fits` holds, it holding from there on; candidates.length if none. */
function firstFitting(candidates: readonly number[], fits: (t: number) => boolean): number {
  let lo = 0;
  let hi = candidates.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fits(candidates[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The lowest threshold (≥ floor) whose upper bound on good items at or above it is within the budget. Good items at
 * or above a threshold only fall as it rises, so the bound does too: found by bisection over the good scores.
 */
function lowestWithin(goods: readonly number[], floor: number, budget: number, confidence: number): number {
  const ascending = [...goods].sort((a, b) => a - b);
  const candidates = [floor, ...new Set(ascending.filter((s) => s > floor))];
  const fits = (t: number): boolean => upperBound(countAtOrAbove(ascending, t), ascending.length, confidence) <= budget;
  const i = firstFitting(candidates, fits);
  if (i === 0) return floor;
  // Just above the last candidate that does not fit leaves that good item out: as few rejected as at the next one, lower.
  if (i < candidates.length) return Math.min(1, nextUp(candidates[i - 1]!));
  // Not even the highest fits: above every good score, if no good item rejected is within the budget; else nothing is.
  return upperBound(0, ascending.length, confidence) <= budget ? Math.min(1, nextUp(candidates[candidates.length - 1]!)) : 1;
}

/** The smallest float above x: a threshold that leaves a score of exactly x below it. */
function nextUp(x: number): number {
  return x + Math.max(Number.EPSILON, Math.abs(x) * Number.EPSILON);
}

export function proposeThresholds(defects: readonly number[], goods: readonly number[], opts: ProposeOptions = {}): Proposal {
  const options: Required<ProposeOptions> = {
    target: opts.target ?? 0.95,
    confidence: opts.confidence ?? 0.95,
    maxFalseReject: opts.maxFalseReject ?? 0.02,
    recallOn: opts.recallOn ?? 'reject-or-divert',
  };
  if (goods.length === 0) throw new RangeError('a calibration set needs good items as well as defects');
  const recall = recallThreshold(defects, options.target, options.confidence);
  const base = { recall, nDefect: defects.length, nGood: goods.length, options };
  if (recall.threshold === null) return { ...base, thresholds: null, refused: recall.refused, costs: null, notes: [] };
  const notes: string[] = [];
  if (upperBound(0, goods.length, options.confidence) > options.maxFalseReject) {
    const needed = Math.ceil(Math.log(1 - options.confidence) / Math.log(1 - options.maxFalseReject));
    notes.push(
      `${goods.length} good pictures cannot show a false-reject rate below ${options.maxFalseReject} ` +
        `(at least ${needed} are needed): nothing is rejected outright, every catch is diverted`,
    );
  }
  let thresholds: Thresholds;
  if (options.recallOn === 'reject-or-divert') {
    const divert = recall.threshold;
    thresholds = { divert, reject: lowestWithin(goods, divert, options.maxFalseReject, options.confidence) };
  } else {
    const reject = recall.threshold;
    // The divert band reaches down while good items diverted or rejected stay within the budget (bisection, as above).
    const ascending = [...goods].sort((a, b) => a - b);
    const candidates = [...new Set(ascending.filter((s) => s < reject))];
    const i = firstFitting(candidates, (t) => upperBound(countAtOrAbove(ascending, t), ascending.length, options.confidence) <= options.maxFalseReject);
    const divert = i < candidates.length ? candidates[i]! : reject;
    thresholds = { reject, divert };
    const rejected = goods.filter((s) => s >= reject).length;
    const bound = upperBound(rejected, goods.length, options.confidence);
    if (bound > options.maxFalseReject) {
      notes.push(
        `the recall asked for rejects ${rejected} of ${goods.length} good pictures (up to ${(1000 * bound).toFixed(1)} per 1,000), ` +
          `over the budget of ${1000 * options.maxFalseReject} per 1,000: the model does not separate them well enough`,
      );
    }
  }
  return { ...base, thresholds, refused: null, costs: costsAt(thresholds, defects, goods, options.confidence), notes };
}
