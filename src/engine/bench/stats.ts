/** Order statistics of measured times, in milliseconds. */

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export interface Spread {
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  /** (p90 − p10) ÷ p50: how noisy the machine was while measuring. */
  readonly spread: number;
}

export function spreadOf(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  return {
    p50,
    p90: percentile(sorted, 90),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    spread: (percentile(sorted, 90) - percentile(sorted, 10)) / p50,
  };
}

/** Time per item over sliding windows of `window` completions: robust to batches finishing together. */
export function perItemTimes(completions: readonly number[], window: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + window < completions.length; i++) out.push((completions[i + window]! - completions[i]!) / window);
  return out;
}

export const round = (v: number, digits = 3): number => (Number.isFinite(v) ? Math.round(v * 10 ** digits) / 10 ** digits : v);
