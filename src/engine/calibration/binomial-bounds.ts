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
 *
 * Summing costs k terms per evaluation; past EXACT_SUM_MAX_N trials (a
 * station's labelled items, tens of thousands) the tail is the regularised
 * incomplete beta function by its continued fraction instead (a few hundred
 * terms, to ~1e-14): the calibration runs on the station's main thread, and
 * must not hold the line for seconds.
 */

/** Up to this many trials the tail is summed term by term; above, the incomplete beta's continued fraction. */
export const EXACT_SUM_MAX_N = 2000;

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: ~15 significant digits). */
function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 100_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
function incompleteBeta(a: number, b: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  // The fraction converges fast on this side of the mean; the other side by symmetry.
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(X ≤ k) for X ~ Binomial(n, p): exactly (terms summed from their logs), or past EXACT_SUM_MAX_N by I_{1−p}(n − k, k + 1). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  if (n > EXACT_SUM_MAX_N) return incompleteBeta(n - k, k + 1, 1 - p);
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
