/** The linear head taught on pooled features (src/engine/teach/softmax-head.ts), on seeded synthetic clusters. */
import { describe, expect, it } from 'vitest';
import { fitSoftmaxHead, headProbabilities } from '../../../src/engine/teach/softmax-head';

/** n samples of `classes` Gaussian clusters in d dimensions, offset and scaled as raw backbone features are. */
function clusters(counts: readonly number[], d: number, spread: number, seed: number): { x: Float32Array; y: Int32Array } {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  const gauss = (): number => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const n = counts.reduce((a, b) => a + b, 0);
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  let i = 0;
  counts.forEach((count, c) => {
    for (let k = 0; k < count; k++, i++) {
      y[i] = c;
      // Features live at 40 ± a few, as ReLU activations pooled over a picture do; the classes differ in the first 3.
      for (let j = 0; j < d; j++) x[i * d + j] = 40 + 5 * (j < 3 && j === c ? 1 : 0) + spread * gauss() + 0.1 * j;
    }
  });
  return { x, y };
}

const accuracy = (head: ReturnType<typeof fitSoftmaxHead>['head'], x: Float32Array, y: Int32Array): number => {
  const d = head.features;
  let right = 0;
  for (let i = 0; i < y.length; i++) {
    const p = headProbabilities(head, x.subarray(i * d, (i + 1) * d));
    if (p.indexOf(Math.max(...p)) === y[i]) right++;
  }
  return right / y.length;
};

describe('fitSoftmaxHead', () => {
  it('separates clusters it did not see, on raw (unstandardised) features, with probabilities that sum to 1', () => {
    const train = clusters([300, 300, 300], 16, 1.5, 1);
    const test = clusters([200, 200, 200], 16, 1.5, 2);
    const { head, loss, steps, cancelled } = fitSoftmaxHead(train.x, train.y, 3);
    expect([steps, cancelled]).toEqual([300, false]);
    expect(loss).toBeLessThan(0.2);
    expect(accuracy(head, test.x, test.y)).toBeGreaterThan(0.97);
    const p = headProbabilities(head, test.x.subarray(0, 16));
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('weighs a rare class as much as a common one when balanced', () => {
    const train = clusters([900, 60], 8, 3, 3); // overlapping: where to draw the line depends on the weights
    const test = clusters([1000, 1000], 8, 3, 4);
    const recallOf1 = (mode: 'balanced' | 'none'): number => {
      const { head } = fitSoftmaxHead(train.x, train.y, 2, { classWeights: mode });
      let caught = 0;
      for (let i = 1000; i < 2000; i++) if (headProbabilities(head, test.x.subarray(i * 8, (i + 1) * 8))[1]! > 0.5) caught++;
      return caught / 1000;
    };
    expect(recallOf1('balanced')).toBeGreaterThan(recallOf1('none') + 0.1);
  });

  it('shrinks the weights as L2 grows, stops when told to, and refuses labels out of range', () => {
    const train = clusters([100, 100], 4, 1, 5);
    const norm = (l2: number): number => fitSoftmaxHead(train.x, train.y, 2, { l2 }).head.weights.reduce((s, w) => s + w * w, 0);
    expect(norm(1)).toBeLessThan(norm(1e-4));
    const stopped = fitSoftmaxHead(train.x, train.y, 2, { onStep: (step) => step < 10 });
    expect([stopped.steps, stopped.cancelled]).toEqual([10, true]);
    expect(() =>
      fitSoftmaxHead(
        train.x,
        Int32Array.from(train.y, () => 2),
        2,
      ),
    ).toThrow(/label 2 is not one of the 2 classes/);
  });

  it('is deterministic: the same data gives the same head', () => {
    const train = clusters([50, 50], 4, 1, 6);
    expect(fitSoftmaxHead(train.x, train.y, 2).head).toEqual(fitSoftmaxHead(train.x, train.y, 2).head);
  });
});
