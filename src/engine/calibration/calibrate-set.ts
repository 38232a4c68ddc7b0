/**
 * A calibration from a scored labelled set (issue 15): the proposal with its
 * bounds (propose-thresholds.ts), the cost at the thresholds in force, the
 * curves and the kept scores — the record stored with the model version
 * (src/shared/calibration.ts). Pure: the scoring is score-labelled-set.ts's.
 */
import { CalibrationSchema, MAX_KEPT_SCORES, type Calibration, type CalibrationOptions } from '../../shared/calibration';
import type { Thresholds } from '../../shared/manifest';
import { trialsNeeded } from './binomial-bounds';
import { keptScores, scoreCurves } from './curves';
import { costsAt, proposeThresholds } from './propose-thresholds';

export interface CalibrationInput {
  readonly defects: readonly number[];
  readonly goods: readonly number[];
  readonly unscored: number;
  readonly options: CalibrationOptions;
  /** The thresholds in force now, for the cost table beside the proposal. */
  readonly current: Thresholds;
  readonly data: Calibration['data'];
  readonly model: Calibration['model'];
  readonly by: string;
  readonly at: Date;
}

export function calibrateSet(input: CalibrationInput): Calibration {
  const { defects, goods, options } = input;
  const proposal = proposeThresholds(defects, goods, options);
  const goodRejected = proposal.costs?.goodRejected;
  const calibration: Calibration = {
    at: input.at.toISOString(),
    by: input.by,
    data: input.data,
    model: input.model,
    options,
    nDefect: defects.length,
    nGood: goods.length,
    unscored: input.unscored,
    thresholds: proposal.thresholds,
    refused: proposal.refused,
    // The bound the guarantee is about: on reject ∪ divert, or on reject alone (then the band catches more).
    recallLowerBound: proposal.thresholds ? proposal.recall.recallLowerBound : null,
    falseRejectUpperBound: goodRejected ? goodRejected.boundPer1000 / 1000 : null,
    defectsNeeded: trialsNeeded(options.target, options.confidence, 0),
    costs: proposal.costs,
    costsAtCurrent: costsAt({ reject: input.current.pit, divert: input.current.maybe }, defects, goods, options.confidence),
    notes: [...proposal.notes],
    curves: scoreCurves(defects, goods),
    defectScores: keptScores(defects, MAX_KEPT_SCORES),
    goodScores: keptScores(goods, MAX_KEPT_SCORES),
  };
  // The record is stored and read back through this schema: check it here, where a fault is the engine's.
  return CalibrationSchema.parse(calibration);
}
