/** From a model's raw output rows to the reject label's probability per item. Pure. */
import { softmax } from './decision';

export function rejectScoresFromOutput(
  output: ArrayLike<number>,
  items: number,
  classes: number,
  rejectIndex: number,
  kind: 'probabilities' | 'logits',
): Float64Array {
  if (output.length < items * classes) {
    throw new RangeError(`model output holds ${output.length} values, expected ${items}×${classes}`);
  }
  const scores = new Float64Array(items);
  for (let i = 0; i < items; i++) {
    if (kind === 'probabilities') {
      scores[i] = output[i * classes + rejectIndex]!;
    } else {
      const row = Array.from({ length: classes }, (_, c) => output[i * classes + c]!);
      scores[i] = softmax(row)[rejectIndex]!;
    }
  }
  return scores;
}
