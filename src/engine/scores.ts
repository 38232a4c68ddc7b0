/** From a model's raw output rows to per-label probabilities. Pure. */
import { softmax } from './decision';

/** Probabilities per item and label, row-major [items × classes]. */
export function probabilitiesFromOutput(output: ArrayLike<number>, items: number, classes: number, kind: 'probabilities' | 'logits'): Float64Array {
  if (output.length < items * classes) {
    throw new RangeError(`model output holds ${output.length} values, expected ${items}×${classes}`);
  }
  const out = new Float64Array(items * classes);
  for (let i = 0; i < items; i++) {
    const row = Array.from({ length: classes }, (_, c) => output[i * classes + c]!);
    out.set(kind === 'probabilities' ? row : softmax(row), i * classes);
  }
  return out;
}
