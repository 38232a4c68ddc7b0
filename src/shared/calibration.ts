/**
 * A calibration (issue 15): thresholds certified on a labelled set scored
 * through the line's own path, with the bounds that vouch for them, the cost
 * at the proposed and at the thresholds then in force, the curves a
 * technician looks at (PR, ROC), and the labelled scores themselves so that
 * the what-if can count any other pair of thresholds on the same set.
 *
 * Stored with the model version: in its manifest when it is taught or
 * calibrated off the station (`npm run calibrate -- --write`), in the
 * registry when calibrated on the station. The engine computes it
 * (src/engine/calibration/calibrate-set.ts); this is its shape.
 */
import { z } from 'zod';

export const RECALL_ON = ['reject-or-divert', 'reject'] as const;
export type RecallOn = (typeof RECALL_ON)[number];

export const CalibrationOptionsSchema = z.object({
  /** The defect recall vouched for (one-sided lower bound at `confidence`). */
  target: z.number().gt(0).lt(1),
  confidence: z.number().gt(0).lt(1),
  /** Good items that may be rejected outright, as a share (upper bound). */
  maxFalseReject: z.number().gt(0).lt(1),
  recallOn: z.enum(RECALL_ON),
});
export type CalibrationOptions = z.infer<typeof CalibrationOptionsSchema>;

export const DEFAULT_CALIBRATION_OPTIONS: CalibrationOptions = { target: 0.95, confidence: 0.95, maxFalseReject: 0.02, recallOn: 'reject-or-divert' };

const score = z.number().min(0).max(1);

/** One rate per 1,000 items of its kind, with its one-sided bound (upper for harms, lower for the recall). */
export const RateSchema = z.object({
  count: z.number().int().nonnegative(),
  of: z.number().int().nonnegative(),
  per1000: z.number(),
  boundPer1000: z.number(),
});
export type Rate = z.infer<typeof RateSchema>;

export const CalibratedThresholdsSchema = z.object({ reject: score, divert: score }).refine((t) => t.divert <= t.reject, 'divert must not exceed reject');

export const CostsSchema = z.object({
  thresholds: CalibratedThresholdsSchema,
  /** Defects neither rejected nor diverted. */
  defectsMissed: RateSchema,
  /** Defects rejected or diverted, with its lower bound. */
  recall: RateSchema,
  goodRejected: RateSchema,
  /** Every item diverted (defect or good), per 1,000 items. */
  diverted: RateSchema,
});
export type Costs = z.infer<typeof CostsSchema>;

/** The curves over every threshold, thinned to at most a few hundred points (kept in step: point i of each). */
export const CurvesSchema = z.object({
  threshold: z.array(z.number()),
  /** Defects at or above the threshold, of all defects (recall, true-positive rate). */
  recall: z.array(z.number()),
  /** Defects among the items at or above the threshold (1 where none is). */
  precision: z.array(z.number()),
  /** Good items at or above the threshold, of all good items. */
  falsePositiveRate: z.array(z.number()),
});
export type Curves = z.infer<typeof CurvesSchema>;

/** The most labelled scores kept of each kind: enough for the what-if to count, small enough to store in a row. */
export const MAX_KEPT_SCORES = 20_000;

export const CalibrationSchema = z.object({
  at: z.string(),
  by: z.string(),
  /** The labelled set: where it was, its fingerprint, which part of it. */
  data: z.object({ source: z.string(), fingerprint: z.string(), split: z.string() }),
  /** The model as it ran: name, version, provider. */
  model: z.object({ name: z.string(), version: z.string(), sha256: z.string(), provider: z.string() }),
  options: CalibrationOptionsSchema,
  nDefect: z.number().int().nonnegative(),
  nGood: z.number().int().nonnegative(),
  /** Pictures that could not be scored (unreadable): left out of every figure. */
  unscored: z.number().int().nonnegative(),
  /** Null when refused. */
  thresholds: CalibratedThresholdsSchema.nullable(),
  /** Why no thresholds were proposed (too few defects for the target), in words. */
  refused: z.string().nullable(),
  /** The lower bound of the defect recall the guarantee is about (on reject ∪ divert, or on reject alone: options.recallOn). */
  recallLowerBound: z.number().nullable(),
  /** The upper bound of good items rejected outright at the proposed thresholds. */
  falseRejectUpperBound: z.number().nullable(),
  /** Defects needed for the target with none missed (the order-statistic minimum). */
  defectsNeeded: z.number().int().nonnegative(),
  /** At the proposed thresholds (null when refused) and at the ones in force when it ran. */
  costs: CostsSchema.nullable(),
  costsAtCurrent: CostsSchema.nullable(),
  notes: z.array(z.string()),
  curves: CurvesSchema,
  /** The labelled scores, ascending (thinned evenly past MAX_KEPT_SCORES): what the what-if counts. */
  defectScores: z.array(score).max(MAX_KEPT_SCORES),
  goodScores: z.array(score).max(MAX_KEPT_SCORES),
});
export type Calibration = z.infer<typeof CalibrationSchema>;

export interface LabelledWhatIf {
  /** Defects that would pass as clean, per 1,000 defects. */
  readonly defectsMissedPer1000: number;
  /** Good items rejected outright, per 1,000 good items. */
  readonly goodRejectedPer1000: number;
  /** Items diverted, per 1,000 items. */
  readonly divertedPer1000: number;
}

/** Items of an ascending list at or above t (binary search). */
function atOrAbove(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}

/** What a pair of thresholds would do to the calibration's labelled set: pure, so the page follows its sliders at once. */
export function labelledWhatIf(
  calibration: Pick<Calibration, 'defectScores' | 'goodScores'>,
  thresholds: { readonly pit: number; readonly maybe: number },
): LabelledWhatIf {
  const { defectScores: d, goodScores: g } = calibration;
  const per1000 = (k: number, n: number): number => (n > 0 ? (1000 * k) / n : 0);
  const divertedDefects = atOrAbove(d, thresholds.maybe) - atOrAbove(d, thresholds.pit);
  const divertedGoods = atOrAbove(g, thresholds.maybe) - atOrAbove(g, thresholds.pit);
  return {
    defectsMissedPer1000: per1000(d.length - atOrAbove(d, thresholds.maybe), d.length),
    goodRejectedPer1000: per1000(atOrAbove(g, thresholds.pit), g.length),
    divertedPer1000: per1000(divertedDefects + divertedGoods, d.length + g.length),
  };
}
