/**
 * Figures of a labelled set at given thresholds. Pure.
 * An item counts as rejected only when its decision is "pit"; "maybe" items
 * are diverted, not rejected, so they count against pit recall.
 */
import type { Thresholds } from '../../shared/manifest';
import { decide } from '../decision';

export interface ScoredItem {
  readonly rejectScore: number;
  readonly isReject: boolean;
}

export interface ClassificationFigures {
  readonly n: number;
  readonly pits: number;
  readonly pit_recall: number;
  readonly accuracy: number;
  readonly false_rejects: number;
  readonly maybe: number;
}

export function classificationFigures(items: readonly ScoredItem[], thresholds: Thresholds): ClassificationFigures {
  let pits = 0;
  let caught = 0;
  let correct = 0;
  let falseRejects = 0;
  let maybe = 0;
  for (const item of items) {
    const { decision } = decide({ rejectScore: item.rejectScore, thresholds });
    const rejected = decision === 'pit';
    if (decision === 'maybe') maybe++;
    if (item.isReject) {
      pits++;
      if (rejected) caught++;
    } else if (rejected) {
      falseRejects++;
    }
    if (rejected === item.isReject) correct++;
  }
  return {
    n: items.length,
    pits,
    pit_recall: pits === 0 ? Number.NaN : caught / pits,
    accuracy: items.length === 0 ? Number.NaN : correct / items.length,
    false_rejects: falseRejects,
    maybe,
  };
}
