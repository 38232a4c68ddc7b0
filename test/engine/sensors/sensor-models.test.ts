/**
 * The sensor models: the forest exporter against ml-random-forest itself, and
 * the committed AI4I model on the rows it never saw, through the engine's
 * tabular path (the figure npm run eval:sensor prints).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { RandomForestClassifier } from 'ml-random-forest';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { OFFLINE_SESSION } from '../../../src/engine/evaluation/score-images';
import { sourceWorkerEntry } from '../../../src/engine/rpc/worker-entry';
import { isTabularPackage, loadModelPackage } from '../../../src/engine/model-package';
import { isHeldOut, parseAi4i } from '../../../src/engine/sensors/datasets/ai4i';
import { FeatureExtractor } from '../../../src/engine/sensors/features/feature-extractor';
import { TabularModel } from '../../../src/engine/tabular/tabular-model';
import { binaryFigures } from '../../../scripts/sensors/ai4i-model';
import { forestToOnnx } from '../../../scripts/sensors/random-forest-onnx';
import { ROOT } from '../../helpers/paths';

describe('random forest → ONNX TreeEnsembleClassifier', () => {
  it("gives the forest's mean class probabilities, with feature bagging mapped back", async () => {
    const rng = seedrandom('forest');
    const X = Array.from({ length: 300 }, () => [rng(), rng(), rng() * 10, rng()]);
    const y = X.map(([a, b, c]) => (a! + b! > 1 && c! > 3 ? 1 : a! > 0.8 ? 2 : 0));
    const forest = new RandomForestClassifier({
      nEstimators: 7,
      maxFeatures: 0.75,
      replacement: true,
      useSampleBagging: true,
      noOOB: true,
      seed: 7,
      treeOptions: { maxDepth: 5 },
    });
    forest.train(X, y);
    const bytes = forestToOnnx(forest, { inputName: 'x', featureCount: 4, classes: 3, outputName: 'p', docString: 'test' });
    const session = await ort.InferenceSession.create(bytes);
    const probe = Array.from({ length: 50 }, () => [rng(), rng(), rng() * 10, rng()]);
    const out = (await session.run({ x: new ort.Tensor('float32', Float32Array.from(probe.flat()), [50, 4]) }))['p']!.data as Float32Array;
    await session.release();
    const internals = forest as unknown as { estimators: { root: { classify(r: number[]): { to1DArray(): number[] } } }[]; indexes: number[][] };
    probe.forEach((row, i) => {
      const mean = [0, 0, 0];
      internals.estimators.forEach((e, t) => {
        const d = e.root.classify(internals.indexes[t]!.map((c) => row[c]!)).to1DArray();
        const total = d.reduce((a, b) => a + b, 0);
        d.forEach((v, c) => (mean[c]! += v / total / internals.estimators.length));
      });
      for (let c = 0; c < 3; c++) expect(out[i * 3 + c]).toBeCloseTo(mean[c]!, 5);
    });
    // and its hard votes agree with ml-random-forest's own prediction where the forest is not split
    const predicted = forest.predict(probe);
    const agree = probe.filter((_, i) => out.slice(i * 3, i * 3 + 3).indexOf(Math.max(...out.slice(i * 3, i * 3 + 3))) === predicted[i]).length;
    expect(agree / probe.length).toBeGreaterThan(0.9);
  });
});

describe('AI4I failure model', () => {
  it('reaches F1 ≥ 0.75 for Machine failure on the held-out rows (every fifth UDI)', async () => {
    const pkg = await loadModelPackage(join(ROOT, 'models', 'ai4i-failure'));
    if (!isTabularPackage(pkg)) throw new Error('tabular model expected');
    const rows = parseAi4i(readFileSync(join(ROOT, '..', 'shared', 'data', 'sensors', 'ai4i2020.csv'), 'utf8')).filter(isHeldOut);
    expect(rows).toHaveLength(2000);
    const vectors = rows.map((r) => {
      const x = new FeatureExtractor(pkg.manifest.features, 8, 1);
      x.push(r.values);
      const v = x.vector();
      return v.ok ? [...v.values] : [];
    });
    const model = await TabularModel.load(pkg, { settings: OFFLINE_SESSION, entry: sourceWorkerEntry() });
    try {
      const probs = await model.predict(vectors);
      const f = binaryFigures(
        probs.map((p) => p[pkg.rejectIndex!]! >= pkg.manifest.thresholds.pit),
        rows.map((r) => r.failure),
      );
      expect(f.positives).toBeGreaterThan(50);
      expect(f.f1).toBeGreaterThanOrEqual(0.75);
    } finally {
      await model.close();
    }
  });
});
