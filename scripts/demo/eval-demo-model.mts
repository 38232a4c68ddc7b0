/**
 * Measures the committed demo model on the held-out split it never saw, at its
 * default thresholds. Last line of output: one JSON object
 * {"pit_recall", "accuracy", "n", ...}.
 *
 * Run: npm run eval:demo
 */
import { join } from 'node:path';
import { classificationFigures } from '../../src/engine/evaluation/classification-figures';
import { scoreRejects } from '../../src/engine/evaluation/score-images';
import { loadImagePackage } from '../../src/engine/model-package';
import { readLabelledSplit } from './demo-dataset';

const ROOT = join(import.meta.dirname, '..', '..');
const pkg = await loadImagePackage(join(ROOT, 'models', 'demo-cherry'));
const heldout = await readLabelledSplit(join(ROOT, 'datasets', 'demo-cherries', 'heldout'));
process.stdout.write(`model ${pkg.manifest.name} ${pkg.manifest.version}; held-out images: ${heldout.length}\n`);
const scores = await scoreRejects(
  pkg,
  heldout.map((i) => i.jpeg),
  (done, total) => void process.stdout.write(`scored ${done}/${total}\r${done === total ? '\n' : ''}`),
);
const figures = classificationFigures(
  heldout.map((item, i) => ({ rejectScore: scores[i]!, isReject: item.label === pkg.manifest.rejectLabel })),
  pkg.manifest.thresholds,
);
process.stdout.write(`thresholds: pit ≥ ${pkg.manifest.thresholds.pit}, maybe ≥ ${pkg.manifest.thresholds.maybe}\n`);
process.stdout.write(`${JSON.stringify(figures)}\n`);
