import { describe, expect, it } from 'vitest';
import { classificationFigures } from '../../../src/engine/evaluation/classification-figures';

describe('classificationFigures', () => {
  it('counts a maybe as not rejected: it costs pit recall, not a false reject', () => {
    const items = [
      { rejectScore: 0.9, isReject: true }, // caught
      { rejectScore: 0.6, isReject: true }, // maybe: missed as a reject
      { rejectScore: 0.1, isReject: true }, // missed
      { rejectScore: 0.8, isReject: false }, // false reject
      { rejectScore: 0.55, isReject: false }, // maybe, correct (not rejected)
      { rejectScore: 0.2, isReject: false }, // correct
    ];
    const f = classificationFigures(items, { pit: 0.75, maybe: 0.5 });
    expect(f).toEqual({ n: 6, pits: 3, pit_recall: 1 / 3, accuracy: 3 / 6, false_rejects: 1, maybe: 2 });
  });
});
