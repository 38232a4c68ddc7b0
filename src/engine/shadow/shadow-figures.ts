/**
 * What a shadow trial found, from the counts of [live][candidate] decisions
 * (issue 16): agreement, Cohen's κ, and the two disagreements that matter —
 * a defect the candidate would pass, a good item it would throw away — each
 * with its two-sided 95 % Clopper–Pearson interval (the exact bounds of
 * calibration/binomial-bounds.ts, 97.5 % one-sided each way).
 */
import { DECISIONS, type Decision } from '../../shared/decision';
import type { Rate, ShadowFigures } from '../../shared/shadow';
import { lowerBound, upperBound } from '../calibration/binomial-bounds';

const CLEAN = DECISIONS.indexOf('clean');

/** [live][candidate] counts in DECISIONS order. */
export type DecisionMatrix = number[][];

export function emptyMatrix(): DecisionMatrix {
  return DECISIONS.map(() => DECISIONS.map(() => 0));
}

export function countPair(m: DecisionMatrix, live: Decision, candidate: Decision): void {
  m[DECISIONS.indexOf(live)]![DECISIONS.indexOf(candidate)]!++;
}

/** k of n with its two-sided 95 % Clopper–Pearson interval; n = 0 says nothing (0 to 1). */
export function rateOf(k: number, n: number): Rate {
  if (n === 0) return { count: 0, rate: 0, low: 0, high: 1 };
  return { count: k, rate: k / n, low: lowerBound(k, n, 0.975), high: upperBound(k, n, 0.975) };
}

/** Cohen's κ: agreement beyond what the two models' own decision rates would give by chance; null when undefined. */
export function cohensKappa(m: DecisionMatrix): number | null {
  const n = m.flat().reduce((a, b) => a + b, 0);
  if (n === 0) return null;
  let observed = 0;
  let chance = 0;
  for (let i = 0; i < m.length; i++) {
    observed += m[i]![i]!;
    const row = m[i]!.reduce((a, b) => a + b, 0);
    const col = m.reduce((a, r) => a + r[i]!, 0);
    chance += (row / n) * (col / n);
  }
  observed /= n;
  // Both said one and the same decision every time: agreement is perfect but κ is 0/0.
  if (chance === 1) return observed === 1 ? 1 : null;
  return (observed - chance) / (1 - chance);
}

export function shadowFigures(m: DecisionMatrix, counts: { seen: number; offered: number; notCompared: number }): ShadowFigures {
  const compared = m.flat().reduce((a, b) => a + b, 0);
  let agree = 0;
  let livePasses = 0;
  let candidatePasses = 0;
  let divertVersusReject = 0;
  for (let l = 0; l < m.length; l++)
    for (let c = 0; c < m.length; c++) {
      const k = m[l]![c]!;
      if (l === c) agree += k;
      else if (c === CLEAN) candidatePasses += k;
      else if (l === CLEAN) livePasses += k;
      else divertVersusReject += k;
    }
  return {
    ...counts,
    compared,
    agreement: rateOf(agree, compared),
    kappa: cohensKappa(m),
    liveRejectsCandidatePasses: rateOf(candidatePasses, compared),
    candidateRejectsLivePasses: rateOf(livePasses, compared),
    divertVersusReject,
    matrix: m.map((r) => [...r]),
  };
}

/** Which disagreement a pair is, or null when they agree. */
export function disagreementOf(
  live: Decision,
  candidate: Decision,
): 'live-rejects-candidate-passes' | 'candidate-rejects-live-passes' | 'divert-versus-reject' | null {
  if (live === candidate) return null;
  if (candidate === 'clean') return 'live-rejects-candidate-passes';
  if (live === 'clean') return 'candidate-rejects-live-passes';
  return 'divert-versus-reject';
}
