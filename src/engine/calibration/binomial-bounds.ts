/**
 * Exact (Clopper–Pearson) one-sided confidence bounds on a proportion from k
 * successes in n trials, for calibrating thresholds with a stated guarantee
 * (issue 15): "recall ≥ 0.95 with 95 % confidence" means the one-sided lower
 * bound of the recall, at confidence 0.95, is at least 0.95.
 *
 * The bound is where the binomial tail equals α: the lower bound L solves
 * P(X ≥ k | n, L) = α, the upper bound U solves P(X ≤ k | n, U) = α. Both
 * tails are summed exactly in log space and the root is found by bisection
 * (the tail is monotone in p), to 1e-12 — the same values as the inverse of
 * the regularised incomplete beta function, with no approximation.
 */

/** P(X ≤ k) for X ~ Binomial(n, p), exactly (terms summed from their logs). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  let sum = 0;
  let logTerm = n * lq; // i = 0
  for (let i = 0; i <= k; i++) {
    if (i > 0) logTerm += Math.log((n - i + 1) / i) + lp - lq;
    sum += Math.exp(logTerm);
  }
  return Math.min(1, sum);
}

function bisect(f: (p: number) => number, target: number, increasing: boolean): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 200 && hi - lo > 1e-13; i++) {
    const mid = (lo + hi) / 2;
    const above = f(mid) > target;
    if (above === increasing) hi = mid;
    else lo = mid;
  }
  return (lo + hi) / 2;
}

function check(k: number, n: number, confidence: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a whole number ≥ 1, not ${n}`);
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`k must be a whole number from 0 to n (${n}), not ${k}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be between 0 and 1, not ${confidence}`);
}

/** One-sided lower bound on the proportion at this confidence: 0 when k = 0, ((1 − confidence)^(1/n) when k = n. */
export function lowerBound(k: number, n: number, confidence: number): number {
  check(k, n, confidence);
  if (k === 0) return 0;
  const alpha = 1 - confidence;
  if (k === n) return Math.pow(alpha, 1 / n);
  // P(X ≥ k | p) = 1 − P(X ≤ k − 1 | p) grows with p.
  return bisect((p) => 1 - binomialCdf(k - 1, n, p), alpha, true);
}

/** One-sided upper bound on the proportion at this confidence: 1 when k = n, 1 − (1 − confidence)^(1/n) when k = 0. */
export function upperBound(k: number, n: number, confidence: number): number {
  check(k, n, confidence);
  if (k === n) return 1;
  const alpha = 1 - confidence;
  if (k === 0) return 1 - Math.pow(alpha, 1 / n);
  // P(X ≤ k | p) falls as p grows.
  return bisect((p) => binomialCdf(k, n, p), alpha, false);
}

/**
 * The fewest trials for which `misses` failures still give a lower bound ≥ target at this confidence
 * (the success-run rule: 59 with none at 95 %/95 %, 93 with one, 124 with two).
 */
export function trialsNeeded(target: number, confidence: number, misses = 0): number {
  for (let n = misses + 1; n < 1_000_000; n++) if (lowerBound(n - misses, n, confidence) >= target) return n;
  throw new RangeError(`no sample size below a million reaches ${target} at ${confidence}`);
}
