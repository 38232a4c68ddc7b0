/**
 * The start-up self-test of an accelerated provider (issue 14). No GPU
 * provider exists where these tests run, so a CPU session stands in for one:
 * the comparison is real (two workers, the real runtime, the check pictures),
 * and the station's fallback to the CPU, its warning on every page and its
 * status are seen end to end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFFLINE_SESSION } from '../../../src/engine/evaluation/score-images';
import { loadImagePackage, type ImageModelPackage } from '../../../src/engine/model-package';
import { loadImageModel, type LoadedModel } from '../../../src/engine/models/loaded-model';
import { checkPicturesFor, providerSelfTest, SELF_TEST_TOLERANCE } from '../../../src/engine/models/provider-self-test';
import { Preprocessor } from '../../../src/engine/preprocess/preprocessor';
import { sourceWorkerEntry } from '../../../src/engine/rpc/worker-entry';
import { useRunningEngines } from '../../helpers/engine';
import { DEMO_MODEL_DIR } from '../../helpers/paths';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from '../../helpers/wait';

let pkg: ImageModelPackage;
let candidate: LoadedModel;
let cpu: LoadedModel;

beforeAll(async () => {
  pkg = await loadImagePackage(DEMO_MODEL_DIR);
  const load = () => loadImageModel(pkg, { settings: OFFLINE_SESSION, entry: sourceWorkerEntry(), mode: 'latency', maxBatch: 1 });
  [candidate, cpu] = await Promise.all([load(), load()]);
});
afterAll(async () => {
  await candidate?.client.close();
  await cpu?.client.close();
});

describe('providerSelfTest', () => {
  it('passes a provider that computes what the CPU computes, on pictures made for any image model', async () => {
    const pictures = checkPicturesFor(pkg);
    expect(pictures.map((p) => p.name)).toEqual(['black', 'white', 'grey', 'horizontal gradient', 'vertical gradient', 'noise']);
    const result = await providerSelfTest(candidate, cpu, pictures);
    expect(result.passed).toBe(true);
    expect(result.worstDelta).toBeLessThanOrEqual(SELF_TEST_TOLERANCE);
    expect(result.message).toMatch(/passed its self-test: 6 check pictures/);
  });

  it('passes over a check picture that does not decode, and still compares the others', async () => {
    const pictures = [{ name: 'check/broken.jpg', image: new Uint8Array([0xff, 0xd8, 1, 2, 3]) }, ...checkPicturesFor(pkg)];
    const result = await providerSelfTest(candidate, cpu, pictures);
    expect(result).toMatchObject({ passed: true, pictures: 6 });
  });

  it('fails one that computes differently, naming the picture and both probabilities', async () => {
    // A provider that gets its arithmetic wrong: the same network, fed a slightly different tensor.
    const { mean } = pkg.manifest.preprocessing;
    const shifted: typeof mean = mean.length === 3 ? [mean[0] + 0.05, mean[1] + 0.05, mean[2] + 0.05] : [mean[0] + 0.05];
    const skewed = { ...pkg.manifest, preprocessing: { ...pkg.manifest.preprocessing, mean: shifted } };
    const wrong: LoadedModel = { ...candidate, preprocessor: new Preprocessor(skewed) };
    const result = await providerSelfTest(wrong, cpu, checkPicturesFor(pkg));
    expect(result.passed).toBe(false);
    expect(result.worstDelta).toBeGreaterThan(SELF_TEST_TOLERANCE);
    expect(result.message).toMatch(/cpu disagrees with the CPU on check picture "[^"]+" \(cherry_\w+ \d\.\d{4} on cpu vs \d\.\d{4} on the CPU/);
  });
});

describe('the station with a provider that fails its self-test', () => {
  const engines = useRunningEngines();
  const tempDir = useTempDirs();

  it('runs the model on the CPU, keeps deciding, says so on every page and in its status', async () => {
    const engine = await engines.start(tempDir(), {}, {
      // The CPU stands in for an accelerated provider; a tolerance below zero makes it disagree.
      selfTested: () => true,
      providerSelfTest: (c, reference, pictures) => providerSelfTest(c, reference, pictures, -1),
    });
    const status = engine.getStatus();
    expect(status.model.provider).toBe('cpu');
    expect(status.model.fallbacks[0]).toMatchObject({ provider: 'cpu', reason: expect.stringMatching(/disagrees with the CPU on check picture/) });
    const warning = status.alarms.find((a) => a.id === 'provider');
    expect(warning).toMatchObject({ kind: 'provider', severity: 'warning', message: expect.stringMatching(/^running on the CPU: /) });
    expect(status.failSafe.engaged).toBe(false);
    await waitFor('frames judged by the model', () => engine.getStatus().frames.classified >= 5);
  });

  it('raises nothing when the provider agrees', async () => {
    const engine = await engines.start(tempDir(), {}, { selfTested: () => true });
    const status = engine.getStatus();
    expect(status.model.fallbacks).toEqual([]);
    expect(status.alarms.filter((a) => a.kind === 'provider')).toEqual([]);
  });
});
