/**
 * What new thresholds would have done to items already in the log: the
 * technician sees it while moving the sliders, before applying anything.
 * The sample comes from the SQLite log (getScoreSample); the counting is
 * pure and runs in the page, so the panel follows the slider at once.
 *
 * Items rejected fail-safe (no score, late, invalid) are not in the sample:
 * no threshold would release them, and the panel says how many there were.
 */
import { z } from 'zod';
import { DECISIONS, decisionForScore, type Decision } from './decision';
import type { Thresholds } from './manifest';
import { ThresholdsSchema } from './manifest';

export const MAX_SAMPLE_ITEMS = 50_000;

export const ScoreWindowSchema = z.union([
  z.object({ last: z.number().int().min(1).max(MAX_SAMPLE_ITEMS) }).strict(),
  z
    .object({
      sinceMinutes: z
        .number()
        .int()
        .min(1)
        .max(7 * 24 * 60),
    })
    .strict(),
]);
export type ScoreWindow = z.infer<typeof ScoreWindowSchema>;

export const ScoreSampleSchema = z.object({
  /** Only the model running now: another model's scores say nothing about these thresholds. */
  model: z.object({ name: z.string(), version: z.string() }),
  /** Reject-label scores of the items in the window, oldest first, aligned with decisions. */
  scores: z.array(z.number()),
  /** The decision each of them got when it was inspected. */
  decisions: z.array(z.enum(DECISIONS)),
  /** Items in the window rejected fail-safe (no valid score, or too late): they stay rejected. */
  failSafe: z.number().int(),
  /** Items in the window scored by other models, left out. */
  otherModels: z.number().int(),
  /** Capture time of the oldest and newest item in the sample. */
  from: z.string().nullable(),
  to: z.string().nullable(),
  /** The thresholds in force when the sample was taken. */
  thresholds: ThresholdsSchema,
});
export type ScoreSample = z.infer<typeof ScoreSampleSchema>;

export type Transition = `${Decision}→${Decision}`;

export interface WhatIf {
  readonly items: number;
  /** Items whose decision would differ from the one they got. */
  readonly changed: number;
  /** Of those, from each decision to each other one (e.g. "clean→pit": newly rejected). */
  readonly transitions: Readonly<Record<Transition, number>>;
  /** Items that would be released (pit or maybe before, clean now): the food-safety risk. */
  readonly newlyReleased: number;
  /** Items that would be rejected that were not (clean or maybe before, pit now): the cost in cherries. */
  readonly newlyRejected: number;
  /** Decisions as they were, and as they would be. */
  readonly before: Readonly<Record<Decision, number>>;
  readonly after: Readonly<Record<Decision, number>>;
}

const zeroCounts = (): Record<Decision, number> => ({ clean: 0, maybe: 0, pit: 0 });

export function whatIf(sample: Pick<ScoreSample, 'scores' | 'decisions'>, thresholds: Thresholds): WhatIf {
  const transitions = {} as Record<Transition, number>;
  for (const a of DECISIONS) for (const b of DECISIONS) if (a !== b) transitions[`${a}→${b}`] = 0;
  const before = zeroCounts();
  const after = zeroCounts();
  let changed = 0;
  for (let i = 0; i < sample.scores.length; i++) {
    const was = sample.decisions[i]!;
    const would = decisionForScore(sample.scores[i]!, thresholds);
    before[was]++;
    after[would]++;
    if (was !== would) {
      changed++;
      transitions[`${was}→${would}`]++;
    }
  }
  return {
    items: sample.scores.length,
    changed,
    transitions,
    newlyReleased: transitions['pit→clean'] + transitions['maybe→clean'],
    newlyRejected: transitions['clean→pit'] + transitions['maybe→pit'],
    before,
    after,
  };
}

/** Counts of scores in `bins` equal bins over 0..1 (a score of exactly 1 falls in the last bin). */
export function scoreHistogram(scores: readonly number[], bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const s of scores) {
    if (!Number.isFinite(s)) continue;
    const bin = Math.min(bins - 1, Math.max(0, Math.floor(s * bins)));
    counts[bin]!++;
  }
  return counts;
}
