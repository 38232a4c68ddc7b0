/**
 * The reject threshold with a stated guarantee on the defect recall (issue
 * 15), by the order-statistic rule: with n defects scored, the recall at a
 * threshold t is k/n where k counts defect scores ≥ t. The threshold is the
 * highest t whose one-sided Clopper–Pearson lower bound on the recall is at
 * least the target: the k-th highest defect score, k the fewest catches whose
 * bound reaches it. With too few defects even catching all of them cannot
 * vouch for the target: refused, saying how many are needed.
 */
import { lowerBound, trialsNeeded } from './binomial-bounds';

export interface RecallThreshold {
  /** Items at or above it are caught; null when refused. */
  readonly threshold: number | null;
  /** Defects caught at the threshold, of n. */
  readonly caught: number;
  readonly n: number;
  /** The one-sided lower bound of the recall at the threshold (at `confidence`). */
  readonly recallLowerBound: number;
  /** Why there is no threshold, in words a technician reads. */
  readonly refused: string | null;
}

export function recallThreshold(defectScores: readonly number[], target: number, confidence: number): RecallThreshold {
  const n = defectScores.length;
  if (!(target > 0 && target < 1)) throw new RangeError(`target recall must be between 0 and 1, not ${target}`);
  const needed = trialsNeeded(target, confidence);
  if (n < needed) {
    return {
      threshold: null,
      caught: 0,
      n,
      recallLowerBound: n > 0 ? lowerBound(n, n, confidence) : 0,
      refused: `${n} defect pictures cannot show a recall of ${target} with ${Math.round(confidence * 100)} % confidence: at least ${needed} are needed (with none missed)`,
    };
  }
  const sorted = [...defectScores].sort((a, b) => b - a);
  // The bound grows with k: the fewest catches that reach the target by bisection, so a station's tens of
  // thousands of labelled items cost a few dozen bounds, not one per item.
  let lo = 1;
  let hi = n; // n reaches the target: n ≥ needed
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lowerBound(mid, n, confidence) >= target) hi = mid;
    else lo = mid + 1;
  }
  const threshold = sorted[lo - 1]!;
  // Ties at the threshold are caught too: the recall counted is what the threshold really gives.
  const caught = sorted.filter((s) => s >= threshold).length;
  return { threshold, caught, n, recallLowerBound: lowerBound(caught, n, confidence), refused: null };
}
