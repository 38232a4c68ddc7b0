/**
 * Real models that nobody here made (../shared/data, see its README), run
 * through the engine's own path, against their reference results.
 * Manifests: test/fixtures/models/NAME/manifest.json, pointing at ../shared/data,
 * staged with their files in a temp package folder (test/helpers/real-models.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OFFLINE_SESSION } from '../../src/engine/evaluation/score-images';
import { classifyImages } from '../../src/engine/evaluation/classify';
import { sourceWorkerEntry } from '../../src/engine/rpc/worker-entry';
import { isTabularPackage, loadImagePackage, loadModelPackage } from '../../src/engine/model-package';
import { loadImageModel } from '../../src/engine/models/loaded-model';
import { InspectionPipeline } from '../../src/engine/pipeline/inspection-pipeline';
import { TabularModel } from '../../src/engine/tabular/tabular-model';
import { ROOT } from '../helpers/paths';
import { stageRealModel } from '../helpers/real-models';
import { useTempDirs } from '../helpers/temp-dir';

const SHARED = join(ROOT, '..', 'shared', 'data');
const PHOTOS = join(SHARED, 'images', 'photos');
const settings = { ...OFFLINE_SESSION, warmupRuns: 1 };
const entry = sourceWorkerEntry();
const tempDir = useTempDirs();
const staged = (fixture: string): string => stageRealModel(fixture, tempDir());

interface Reference {
  readonly index: number;
  readonly label: string;
  readonly p: number;
}
const expected = JSON.parse(readFileSync(join(SHARED, 'images', 'photos.expected.json'), 'utf8')) as Record<
  string,
  Record<'bgr_0_255' | 'bgr_caffe_mean', Reference[]>
>;

describe('SqueezeNet (float16 in and out) on the reference photos', () => {
  const photos = readdirSync(PHOTOS).sort();

  for (const [fixture, reference] of [
    ['squeezenet-raw', 'bgr_0_255'],
    ['squeezenet-caffe-mean', 'bgr_caffe_mean'],
  ] as const) {
    it(`${fixture}: top-1 equals the reference and its probability is within 0.03, for every photo`, async () => {
      expect(photos.length).toBe(18);
      expect(photos).toContain('kitten_224.png'); // RGBA
      expect(photos).toContain('n04372370_switch.JPEG'); // greyscale
      const pkg = await loadImagePackage(staged(fixture));
      const run = await classifyImages(
        pkg,
        photos.map((name) => ({ name, data: readFileSync(join(PHOTOS, name)) })),
        { settings, entry, k: 3 },
      );
      expect(run.notes.join()).toMatch(/float16 data_0, softmaxout_1 given float32 edges/);
      const misses: string[] = [];
      for (const result of run.results) {
        const ref = expected[result.name]![reference][0]!;
        const top = result.top[0]!;
        if (top.index !== ref.index || Math.abs(top.p - ref.p) > 0.03)
          misses.push(`${result.name}: got ${top.index} ${top.p.toFixed(4)}, reference ${ref.index} ${ref.p}`);
      }
      expect(misses).toEqual([]);
      expect(run.results.find((r) => r.name === 'kitten_224.png')!.top[0]!.label).toMatch(/tabby/);
    });
  }
});

describe('MNIST (greyscale, logits, fixed batch)', () => {
  it('reads each digit as the digit in its file name', async () => {
    const dir = join(SHARED, 'images', 'mnist');
    const files = readdirSync(dir).sort();
    const pkg = await loadImagePackage(staged('mnist-cntk'));
    const run = await classifyImages(
      pkg,
      files.map((name) => ({ name, data: readFileSync(join(dir, name)) })),
      { settings, entry, k: 1 },
    );
    expect(run.results.map((r) => r.top[0]!.label)).toEqual(files.map((f) => f.replace('.jpg', '')));
    for (const r of run.results) expect(r.top[0]!.p).toBeGreaterThan(0.5); // softmax applied to the logits
  });
});

describe('CIFAR-10 (dynamic batch)', () => {
  it('scores a batch of 8 exactly as it scores the frames one by one', async () => {
    const pkg = await loadImagePackage(staged('cifar10'));
    const images = readdirSync(PHOTOS)
      .sort()
      .slice(0, 8)
      .map((name) => ({ name, data: readFileSync(join(PHOTOS, name)) }));
    const batched = await loadImageModel(pkg, { settings, entry, mode: 'throughput', maxBatch: 8 });
    try {
      expect(batched.batchSize).toBe(8);
      const got: { name: string; probabilities: Float64Array; batch: number | null }[] = [];
      const pipeline = new InspectionPipeline<{ name: string; image: Uint8Array }>(
        () => batched,
        (item, o) => {
          if (o.kind !== 'scored') throw new Error(`${item.name}: ${o.reason}`);
          got.push({ name: item.name, probabilities: Float64Array.from(o.probabilities), batch: o.timings.batchSize });
        },
        { queueLimit: 16, maxWaitMs: 1000 },
      );
      for (const i of images) pipeline.submit({ name: i.name, image: i.data });
      await pipeline.whenIdle();
      expect(got.map((g) => g.batch)).toEqual(Array(8).fill(8));
      const single = await classifyImages(pkg, images, { settings, entry, k: 10 });
      for (const [i, one] of single.results.entries()) {
        for (const r of one.top) expect(got[i]!.probabilities[r.index]).toBeCloseTo(r.p, 5);
      }
    } finally {
      await batched.client.close();
    }
  });
});

describe('tree models with ZipMap outputs, through the tabular path', () => {
  const iris = readFileSync(join(SHARED, 'sensors', 'iris.csv'), 'utf8')
    .trim()
    .split('\n');
  const header = iris[0]!.split(',');
  const records = iris.slice(1).map((line) => line.split(','));

  for (const [fixture, accuracy] of [
    ['rf-iris', 0.987],
    ['lightgbm-iris', 0.78],
  ] as const) {
    it(`${fixture}: per-class probabilities, label accuracy ${accuracy} on iris.csv`, async () => {
      const pkg = await loadModelPackage(staged(fixture));
      if (!isTabularPackage(pkg)) throw new Error('not tabular');
      const model = await TabularModel.load(pkg, { settings, entry });
      try {
        expect(model.client.info.notes.join()).toMatch(/output "output_probability" was a ZipMap/);
        const rows = records.map((r) => model.features.map((f) => Number(r[header.indexOf(f)])));
        const probs = await model.predict(rows);
        expect(probs).toHaveLength(150);
        for (const p of probs) expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
        const species = records.map((r) => r[header.indexOf('Species')]);
        const correct = probs.filter((p, i) => pkg.labels[p.indexOf(Math.max(...p))] === species[i]).length;
        expect(Math.round((correct / 150) * 1000) / 1000).toBe(accuracy);
      } finally {
        await model.close();
      }
    });
  }
});
