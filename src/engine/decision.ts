/**
 * The decision core: pure, no I/O. Scores in, decision out.
 * pit score ≥ pit threshold → reject; ≥ maybe threshold → divert; else clean.
 */
import { decisionForScore, type Decision } from '../shared/decision';
import type { Thresholds } from '../shared/manifest';

export interface DecisionInput {
  /** Score of the model's reject label, 0..1. */
  readonly rejectScore: number;
  readonly thresholds: Thresholds;
}

export interface DecisionResult {
  readonly decision: Decision;
  /** Why, when the decision was not made from a valid score. */
  readonly failSafeReason?: string;
}

export function decide({ rejectScore, thresholds }: DecisionInput): DecisionResult {
  // Positive release: a score that is not a number in 0..1 cannot release an item.
  if (!Number.isFinite(rejectScore) || rejectScore < 0 || rejectScore > 1) {
    return { decision: 'pit', failSafeReason: `invalid score ${String(rejectScore)}` };
  }
  return { decision: decisionForScore(rejectScore, thresholds) };
}

/** Softmax over logits, for models whose output is not already probabilities. */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i]! - max);
    sum += out[i]!;
  }
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / sum;
  return out;
}
