/**
 * Measures the committed AI4I failure model on the rows it never saw (every
 * fifth by UDI), through the engine's tabular path (checks, worker, ONNX
 * Runtime), at the p_fail threshold in its manifest. Last line of output: one
 * JSON object {"precision", "recall", "f1", "n", ...} for "Machine failure".
 *
 * Run: npm run eval:sensor
 */
import { readFile } from 'node:fs/promises';
import { OFFLINE_SESSION } from '../../src/engine/evaluation/score-images';
import { sourceWorkerEntry } from '../../src/engine/rpc/worker-entry';
import { isTabularPackage, loadModelPackage } from '../../src/engine/model-package';
import { AI4I_FEATURES, isHeldOut, parseAi4i } from '../../src/engine/sensors/datasets/ai4i';
import { FeatureExtractor } from '../../src/engine/sensors/features/feature-extractor';
import { TabularModel } from '../../src/engine/tabular/tabular-model';
import { AI4I_CSV, AI4I_MODEL_DIR, binaryFigures } from './ai4i-model';

const pkg = await loadModelPackage(AI4I_MODEL_DIR);
if (!isTabularPackage(pkg)) throw new Error(`${AI4I_MODEL_DIR} is not a tabular model`);
const heldOut = parseAi4i(await readFile(AI4I_CSV, 'utf8')).filter(isHeldOut);
const rows = heldOut.map((r) => {
  const x = new FeatureExtractor(pkg.manifest.features, 8, 1);
  x.push(r.values);
  const v = x.vector();
  if (!v.ok) throw new Error(v.reason);
  return [...v.values];
});
if (pkg.manifest.features.join() !== AI4I_FEATURES.join()) throw new Error('the model does not take the AI4I features');
const model = await TabularModel.load(pkg, { settings: OFFLINE_SESSION, entry: sourceWorkerEntry() });
try {
  const probs = await model.predict(rows);
  const threshold = pkg.manifest.thresholds.pit;
  const figures = binaryFigures(
    probs.map((p) => p[pkg.rejectIndex!]! >= threshold),
    heldOut.map((r) => r.failure),
  );
  process.stdout.write(
    `model ${pkg.manifest.name} ${pkg.manifest.version} on ${model.client.info.provider}; held-out rows: ${heldOut.length}; p_fail ≥ ${threshold}\n`,
  );
  process.stdout.write(`${JSON.stringify({ ...figures, threshold })}\n`);
} finally {
  await model.close();
}
