/**
 * Every reject-on-doubt rule of the line, in one pure module (issue 13): an
 * item is released only on a positive verdict. The clock is passed in, so
 * each rule is a table of inputs and verdicts (test/engine/line/verdict.test.ts).
 *
 * Two moments:
 * - admit(): before the pipeline. A paused line, a picture the source could
 *   not give, a frame too old to judge: rejected at once, nothing inferred.
 *   Otherwise judged, with the time left to its deadline.
 * - verdictOf(): once the pipeline answered (or the deadline came first). A
 *   failed stage, an invalid score, a verdict after the deadline, a log that
 *   cannot record it (storage.whenFull: fail-safe): pit, with the reason.
 *   Otherwise the thresholds decide (decision.ts).
 *
 * The reasons are the technician's words, kept in the log and History; the
 * live page reads their leading words (src/shared/operator-words.ts).
 */
import type { Decision } from '../../shared/decision';
import type { Thresholds } from '../../shared/manifest';
import { decide } from '../decision';
import type { FailedStage } from '../pipeline/inspection-pipeline';

export interface DecisionRules {
  /** A frame older than this when it arrives is not judged. */
  readonly staleMs: number;
  /** From capture: no verdict by then, and the item is rejected. */
  readonly deadlineMs: number;
}

export type Admission =
  | { readonly kind: 'reject'; readonly stage: 'paused' | 'source' | 'stale'; readonly reason: string }
  | { readonly kind: 'judge'; readonly deadlineInMs: number };

export interface ArrivingItem {
  readonly capturedAt: number;
  /** Why the source could not give its picture (empty, unreadable, too large), if it could not. */
  readonly unreadable?: string | undefined;
}

export function admit(item: ArrivingItem, pausedBecause: string | null, rules: DecisionRules, now: number): Admission {
  // Paused (a benchmark has the CPU): every item is rejected, none inferred.
  if (pausedBecause !== null) return { kind: 'reject', stage: 'paused', reason: pausedBecause };
  if (item.unreadable !== undefined) return { kind: 'reject', stage: 'source', reason: item.unreadable };
  const age = now - item.capturedAt;
  if (age > rules.staleMs) return { kind: 'reject', stage: 'stale', reason: `frame is ${Math.round(age)} ms old (over ${rules.staleMs} ms): not judged` };
  return { kind: 'judge', deadlineInMs: Math.max(0, rules.deadlineMs - age) };
}

/** The reason an item the deadline caught is rejected with (the deadline's timer). */
export const deadlineReason = (rules: DecisionRules): string => `no decision within ${rules.deadlineMs} ms of capture`;

/** What the pipeline answered for an item, as far as the verdict needs it. */
export type Answer =
  | { readonly kind: 'scored'; readonly probabilities: ArrayLike<number>; readonly labels: readonly string[]; readonly rejectIndex: number }
  | { readonly kind: 'failed'; readonly stage: FailedStage; readonly reason: string };

export interface VerdictContext {
  readonly thresholds: Thresholds;
  readonly capturedAt: number;
  readonly now: number;
  /** Infinity where no deadline applies. */
  readonly deadlineMs: number;
  /** Why the log cannot record a decision now (storage.whenFull: fail-safe), or null. */
  readonly storageVeto: string | null;
}

export interface Verdict {
  readonly decision: Decision;
  /** Why it was rejected without a positive verdict; null when the thresholds decided. */
  readonly failSafeReason: string | null;
  readonly rejectScore: number | null;
  readonly scores: Record<string, number> | null;
  /** A model verdict was reached (counted as classified), or a stage failed that a technician should hear of (an error). */
  readonly counts: 'classified' | 'error' | null;
}

/** Stages whose failure is not the item's or the station's fault: a full queue, a paused line. */
const NOT_AN_ERROR: ReadonlySet<FailedStage> = new Set(['queue', 'paused']);

export function verdictOf(answer: Answer, ctx: VerdictContext): Verdict {
  let verdict: Verdict;
  if (answer.kind === 'scored') {
    const scores = Object.fromEntries(answer.labels.map((l, i) => [l, answer.probabilities[i]!]));
    const rejectScore = answer.probabilities[answer.rejectIndex]!;
    const decided = decide({ rejectScore, thresholds: ctx.thresholds });
    verdict = { decision: decided.decision, failSafeReason: decided.failSafeReason ?? null, rejectScore, scores, counts: 'classified' };
    const late = ctx.now - ctx.capturedAt - ctx.deadlineMs;
    if (late > 0) verdict = { ...verdict, decision: 'pit', failSafeReason: `late: decided ${Math.round(late)} ms after the deadline` };
  } else {
    // Fail-safe: an item without a valid decision is rejected (positive release).
    const failSafeReason = answer.stage === 'paused' ? `line paused: ${answer.reason}` : `${answer.stage} failed: ${answer.reason}`;
    verdict = { decision: 'pit', failSafeReason, rejectScore: null, scores: null, counts: NOT_AN_ERROR.has(answer.stage) ? null : 'error' };
  }
  if (ctx.storageVeto !== null && verdict.failSafeReason === null) verdict = { ...verdict, decision: 'pit', failSafeReason: ctx.storageVeto };
  return verdict;
}
