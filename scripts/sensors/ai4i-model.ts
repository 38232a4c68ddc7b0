/** Paths and scoring shared by the AI4I model's training and evaluation scripts. */
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const AI4I_CSV = join(ROOT, '..', 'shared', 'data', 'sensors', 'ai4i2020.csv');
export const AI4I_MODEL_DIR = join(ROOT, 'models', 'ai4i-failure');

export interface BinaryFigures {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly n: number;
  readonly positives: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
}

export function binaryFigures(predicted: readonly boolean[], actual: readonly boolean[]): BinaryFigures {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  predicted.forEach((p, i) => {
    if (p && actual[i]) tp++;
    else if (p) fp++;
    else if (actual[i]) fn++;
  });
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, n: predicted.length, positives: actual.filter(Boolean).length, tp, fp, fn };
}
