/**
 * Trains the machine-failure model on AI4I 2020 (real readings, real
 * failures) with ml-random-forest, exports it as an ONNX
 * TreeEnsembleClassifier and writes models/ai4i-failure/{model.onnx,
 * manifest.json}. Every fifth row by UDI is held out and never read here;
 * `npm run eval:sensor` measures on it. The decision threshold on p_fail is
 * chosen on a validation part of the training rows. Deterministic (seeded).
 *
 * Run: npm run sensor:train:ai4i   (reads ../shared/data; commits only the model)
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RandomForestClassifier } from 'ml-random-forest';
import { ModelManifestSchema } from '../../src/shared/manifest';
import { AI4I_FEATURES, isHeldOut, parseAi4i, type Ai4iRow } from '../../src/engine/sensors/datasets/ai4i';
import { FeatureExtractor } from '../../src/engine/sensors/features/feature-extractor';
import { AI4I_CSV, AI4I_MODEL_DIR, binaryFigures } from './ai4i-model';
import { forestToOnnx } from './random-forest-onnx';

const log = (m: string): void => void process.stdout.write(`${m}\n`);
const t0 = Date.now();

/** The feature vector of one row, computed by the same extractor the station runs. */
export function featuresOf(row: Ai4iRow): number[] {
  const x = new FeatureExtractor(AI4I_FEATURES, 8, 1);
  x.push(row.values);
  const v = x.vector();
  if (!v.ok) throw new Error(v.reason);
  return [...v.values];
}

const rows = parseAi4i(await readFile(AI4I_CSV, 'utf8'));
const training = rows.filter((r) => !isHeldOut(r));
// A validation part of the training rows (never the held-out ones) picks the threshold.
const fit = training.filter((r) => r.udi % 5 !== 1);
const validation = training.filter((r) => r.udi % 5 === 1);
log(`AI4I: ${rows.length} rows; training on ${fit.length}, validating on ${validation.length}, ${rows.length - training.length} held out`);

function train(set: readonly Ai4iRow[]): RandomForestClassifier {
  const forest = new RandomForestClassifier({
    nEstimators: 40,
    maxFeatures: 0.8,
    replacement: true,
    useSampleBagging: true,
    noOOB: true,
    seed: 2020,
    treeOptions: { maxDepth: 12, minNumSamples: 2, gainThreshold: 0.0001 },
  });
  forest.train(
    set.map(featuresOf),
    set.map((r) => (r.failure ? 1 : 0)),
  );
  return forest;
}

/** Mean class-1 probability over the trees, as the ONNX export computes it. */
function pFail(forest: RandomForestClassifier, set: readonly Ai4iRow[]): number[] {
  const internals = forest as unknown as { estimators: { root: { classify(row: number[]): { to1DArray(): number[] } } }[]; indexes: number[][] };
  return set.map((r) => {
    const x = featuresOf(r);
    let p = 0;
    internals.estimators.forEach((e, i) => {
      const dist = e.root.classify(internals.indexes[i]!.map((c) => x[c]!)).to1DArray();
      p += (dist[1] ?? 0) / (dist.reduce((a, b) => a + b, 0) || 1);
    });
    return p / internals.estimators.length;
  });
}

const probe = train(fit);
const pv = pFail(probe, validation);
let best = { threshold: 0.5, f1: -1 };
for (let th = 0.1; th <= 0.9; th += 0.025) {
  const f = binaryFigures(
    pv.map((p) => p >= th),
    validation.map((r) => r.failure),
  );
  if (f.f1 > best.f1) best = { threshold: Math.round(th * 1000) / 1000, f1: f.f1 };
}
log(`validation: best F1 ${best.f1.toFixed(3)} at p_fail ≥ ${best.threshold} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);

const forest = train(training);
const bytes = forestToOnnx(forest, {
  inputName: 'features',
  featureCount: AI4I_FEATURES.length,
  classes: 2,
  outputName: 'probabilities',
  docString: 'AI4I 2020 machine failure, ml-random-forest (40 trees, depth 12), scripts/sensors/train-ai4i-model.mts',
});
const manifest = ModelManifestSchema.parse({
  schemaVersion: 1,
  name: 'ai4i-failure',
  version: '1.0.0',
  description: 'Machine failure from AI4I 2020 readings (random forest). Trained on 4 of every 5 rows; evaluated on the rest by npm run eval:sensor.',
  task: 'tabular-classification',
  labels: ['ok', 'failure'],
  rejectLabel: 'failure',
  input: { name: 'features', dtype: 'float32', batch: 'dynamic' },
  features: [...AI4I_FEATURES],
  output: { name: 'probabilities', scores: 'probabilities' },
  // pit: the p_fail at which a row counts as a failure (chosen on validation); maybe: half of it.
  thresholds: { pit: best.threshold, maybe: Math.round((best.threshold / 2) * 1000) / 1000 },
  sha256: createHash('sha256').update(bytes).digest('hex'),
  provenance: {
    trainedBy: 'scripts/sensors/train-ai4i-model.mts',
    dataset: 'AI4I 2020 Predictive Maintenance (UCI, CC BY 4.0), ../shared/data/sensors/ai4i2020.csv; rows with UDI % 5 == 0 held out',
    validation: { rows: validation.length, f1: best.f1, threshold: best.threshold },
  },
});
await mkdir(AI4I_MODEL_DIR, { recursive: true });
await writeFile(join(AI4I_MODEL_DIR, 'model.onnx'), bytes);
await writeFile(join(AI4I_MODEL_DIR, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
log(`wrote models/ai4i-failure (${(bytes.length / 1024).toFixed(0)} KiB) in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
