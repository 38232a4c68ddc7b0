/**
 * What the line would have decided on a labelled set at given thresholds
 * (issue 15, `npm run evaluate`). Pure. An item is passed only when it is
 * decided clean; a diverted item goes to a person and is not passed, so:
 *
 * - recall: defects not passed (rejected or diverted), of all defects — what
 *   the calibration's guarantee on reject ∪ divert is about; `rejectRecall`
 *   counts rejected only;
 * - accuracy: items whose fate is right — defects not passed and good items
 *   passed — of all items (a good item diverted counts as wrong);
 * - false-reject rate: good items rejected outright, of all good items;
 * - divert rate: items diverted, of all items.
 */
import type { Thresholds } from '../../shared/manifest';
import { decide } from '../decision';

export interface DecisionFigures {
  readonly n: number;
  readonly n_defect: number;
  readonly n_good: number;
  readonly recall: number;
  readonly reject_recall: number;
  readonly accuracy: number;
  readonly false_reject_rate: number;
  readonly divert_rate: number;
  /** Counts behind the rates: defects passed, rejected, diverted; good items passed, rejected, diverted. */
  readonly counts: {
    readonly defect: { readonly clean: number; readonly maybe: number; readonly pit: number };
    readonly good: { readonly clean: number; readonly maybe: number; readonly pit: number };
  };
}

export function decisionFigures(items: readonly { readonly rejectScore: number; readonly isDefect: boolean }[], thresholds: Thresholds): DecisionFigures {
  const defect = { clean: 0, maybe: 0, pit: 0 };
  const good = { clean: 0, maybe: 0, pit: 0 };
  for (const item of items) (item.isDefect ? defect : good)[decide({ rejectScore: item.rejectScore, thresholds }).decision]++;
  const nDefect = defect.clean + defect.maybe + defect.pit;
  const nGood = good.clean + good.maybe + good.pit;
  const n = nDefect + nGood;
  const share = (k: number, of: number): number => (of > 0 ? k / of : Number.NaN);
  return {
    n,
    n_defect: nDefect,
    n_good: nGood,
    recall: share(defect.maybe + defect.pit, nDefect),
    reject_recall: share(defect.pit, nDefect),
    accuracy: share(defect.maybe + defect.pit + good.clean, n),
    false_reject_rate: share(good.pit, nGood),
    divert_rate: share(defect.maybe + good.maybe, n),
    counts: { defect, good },
  };
}
