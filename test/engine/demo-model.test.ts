/**
 * The committed demo model on the held-out split it never saw, at its default
 * thresholds, run by the real onnxruntime-node (the same code as npm run eval:demo).
 */
import { describe, expect, it } from 'vitest';
import { classificationFigures } from '../../src/engine/evaluation/classification-figures';
import { scoreRejects } from '../../src/engine/evaluation/score-images';
import { loadImagePackage } from '../../src/engine/model-package';
import { readLabelledSplit } from '../../scripts/demo/demo-dataset';
import { DEMO_MODEL_DIR, HELDOUT_DIR } from '../helpers/paths';

describe('demo model on the held-out set', () => {
  it('meets pit recall ≥ 95 % and accuracy ≥ 95 % at pit ≥ 0.75, maybe ≥ 0.5', async () => {
    const pkg = await loadImagePackage(DEMO_MODEL_DIR);
    const heldout = await readLabelledSplit(HELDOUT_DIR);
    expect(heldout.length).toBeGreaterThanOrEqual(400);
    const scores = await scoreRejects(
      pkg,
      heldout.map((i) => i.jpeg),
    );
    const figures = classificationFigures(
      heldout.map((item, i) => ({ rejectScore: scores[i]!, isReject: item.label === 'cherry_pit' })),
      { pit: 0.75, maybe: 0.5 },
    );
    expect(figures.n).toBe(heldout.length);
    expect(figures.pits).toBeGreaterThan(100);
    expect(figures.pit_recall).toBeGreaterThanOrEqual(0.95);
    expect(figures.accuracy).toBeGreaterThanOrEqual(0.95);
  });
});
