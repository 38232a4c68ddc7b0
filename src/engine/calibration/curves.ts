/**
 * The PR and ROC curves of a scored labelled set (issue 15): at each
 * distinct score, what a reject threshold there would catch and cost. Thinned
 * to at most `maxPoints` so that a stored calibration and the page's plot
 * stay small whatever the size of the set; the ends are always kept.
 */
import type { Curves } from '../../shared/calibration';

export function scoreCurves(defects: readonly number[], goods: readonly number[], maxPoints = 400): Curves {
  const d = [...defects].sort((a, b) => b - a);
  const g = [...goods].sort((a, b) => b - a);
  const thresholds = [...new Set([...d, ...g])].sort((a, b) => b - a);
  const all: Curves = { threshold: [], recall: [], precision: [], falsePositiveRate: [] };
  let i = 0;
  let j = 0;
  for (const t of thresholds) {
    while (i < d.length && d[i]! >= t) i++;
    while (j < g.length && g[j]! >= t) j++;
    all.threshold.push(t);
    all.recall.push(d.length > 0 ? i / d.length : 0);
    all.precision.push(i + j > 0 ? i / (i + j) : 1);
    all.falsePositiveRate.push(g.length > 0 ? j / g.length : 0);
  }
  if (all.threshold.length <= maxPoints) return all;
  const keep = (k: number): boolean =>
    k === 0 ||
    k === all.threshold.length - 1 ||
    Math.floor((k * (maxPoints - 1)) / (all.threshold.length - 1)) !== Math.floor(((k - 1) * (maxPoints - 1)) / (all.threshold.length - 1));
  const pick = (xs: number[]): number[] => xs.filter((_, k) => keep(k));
  return { threshold: pick(all.threshold), recall: pick(all.recall), precision: pick(all.precision), falsePositiveRate: pick(all.falsePositiveRate) };
}

/** An ascending copy, thinned evenly to at most `max` values (the ends kept), each rounded to 6 decimals. */
export function keptScores(scores: readonly number[], max: number): number[] {
  const sorted = [...scores].sort((a, b) => a - b);
  const round = (x: number): number => Math.round(x * 1e6) / 1e6;
  if (sorted.length <= max) return sorted.map(round);
  return Array.from({ length: max }, (_, k) => round(sorted[Math.round((k * (sorted.length - 1)) / (max - 1))]!));
}
