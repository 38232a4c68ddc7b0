/**
 * Trains the demo machine-health model on simulated runs of the machine
 * (src/engine/sensors/simulation): rolling vibration, temperature and
 * humidity features, computed by the station's own FeatureExtractor, labelled
 * "failure" where the simulated bearing wear is past a third of its severity.
 * Writes models/demo-sensor/{model.onnx,manifest.json}. Deterministic.
 *
 * Run: npm run sensor:train:demo
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RandomForestClassifier } from 'ml-random-forest';
import seedrandom from 'seedrandom';
import { ModelManifestSchema } from '../../src/shared/manifest';
import { FeatureExtractor } from '../../src/engine/sensors/features/feature-extractor';
import { MachineSignal } from '../../src/engine/sensors/simulation/machine-signal';
import { binaryFigures } from './ai4i-model';
import { forestToOnnx } from './random-forest-onnx';

const ROOT = join(import.meta.dirname, '..', '..');
const OUT = join(ROOT, 'models', 'demo-sensor');
const RATE_HZ = 200;
const WINDOW = 256;
const EVERY = 50; // a feature vector every 0.25 s
export const DEMO_SENSOR_FEATURES = [
  'vibration_g.rms',
  'vibration_g.std',
  'vibration_g.kurtosis',
  'vibration_g.p2p',
  'vibration_g.band_70_90',
  'vibration_g.band_15_35',
  'temperature_c.mean',
  'humidity_pct.mean',
  'vibration_g.rms/temperature_c.mean',
] as const;
const WORN = 0.35;

function simulate(run: number): { x: number[][]; y: number[] } {
  const rng = seedrandom(`demo-sensor-run-${run}`);
  const worn = run % 2 === 0;
  const startS = 5 + rng() * 20;
  const signal = new MachineSignal(
    `run-${run}`,
    RATE_HZ,
    worn ? { bearingWear: { startS, rampS: 5 + rng() * 15, severity: 0.6 + rng() * 0.6 } } : {},
    30 + rng() * 15,
  );
  const features = new FeatureExtractor(DEMO_SENSOR_FEATURES, WINDOW, RATE_HZ);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < RATE_HZ * 40; i++) {
    const s = signal.next();
    features.push({ vibration_g: s.vibration_g, temperature_c: s.temperature_c, humidity_pct: s.humidity_pct });
    if (i % EVERY !== 0) continue;
    const v = features.vector();
    if (!v.ok) continue;
    x.push([...v.values]);
    y.push(signal.wearAt(s.tS) >= WORN ? 1 : 0);
  }
  return { x, y };
}

const t0 = Date.now();
const train = { x: [] as number[][], y: [] as number[] };
const test = { x: [] as number[][], y: [] as number[] };
for (let run = 0; run < 60; run++) {
  const r = simulate(run);
  const into = run % 5 === 4 ? test : train;
  into.x.push(...r.x);
  into.y.push(...r.y);
}
process.stdout.write(`simulated ${train.x.length} training and ${test.x.length} test windows\n`);
const forest = new RandomForestClassifier({
  nEstimators: 25,
  maxFeatures: 0.7,
  replacement: true,
  useSampleBagging: true,
  noOOB: true,
  seed: 42,
  treeOptions: { maxDepth: 8, minNumSamples: 3 },
});
forest.train(train.x, train.y);
const predicted = forest.predict(test.x).map((c: number) => c === 1);
const figures = binaryFigures(
  predicted,
  test.y.map((c) => c === 1),
);
process.stdout.write(`test runs: ${JSON.stringify(figures)}\n`);

const bytes = forestToOnnx(forest, {
  inputName: 'features',
  featureCount: DEMO_SENSOR_FEATURES.length,
  classes: 2,
  outputName: 'probabilities',
  docString: 'Demo machine health (simulated bearing wear), ml-random-forest, scripts/sensors/train-demo-sensor-model.mts',
});
const manifest = ModelManifestSchema.parse({
  schemaVersion: 1,
  name: 'demo-sensor',
  version: '1.0.0',
  description: 'Demo machine-health model trained on simulated vibration, temperature and humidity (bearing wear). Not for production use.',
  task: 'tabular-classification',
  labels: ['ok', 'failure'],
  rejectLabel: 'failure',
  input: { name: 'features', dtype: 'float32', batch: 'dynamic' },
  features: [...DEMO_SENSOR_FEATURES],
  output: { name: 'probabilities', scores: 'probabilities' },
  thresholds: { pit: 0.5, maybe: 0.25 },
  sha256: createHash('sha256').update(bytes).digest('hex'),
  provenance: {
    trainedBy: 'scripts/sensors/train-demo-sensor-model.mts',
    window: { samples: WINDOW, rateHz: RATE_HZ },
    test: figures,
  },
});
await mkdir(OUT, { recursive: true });
await writeFile(join(OUT, 'model.onnx'), bytes);
await writeFile(join(OUT, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
process.stdout.write(`wrote models/demo-sensor (${(bytes.length / 1024).toFixed(0)} KiB) in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
