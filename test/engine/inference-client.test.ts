import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OFFLINE_SESSION } from '../../src/engine/evaluation/score-images';
import { InferenceClient, InferenceError, ModelLoadError, type InferenceClientOptions } from '../../src/engine/inference/inference-client';
import { sourceWorkerEntry } from '../../src/engine/rpc/worker-entry';
import { loadImagePackage } from '../../src/engine/model-package';
import { Preprocessor } from '../../src/engine/preprocess/preprocessor';
import { DEMO_FRAMES_DIR, DEMO_MODEL_DIR } from '../helpers/paths';

const settings = { ...OFFLINE_SESSION, warmupRuns: 2 };

async function demoOptions(): Promise<InferenceClientOptions> {
  const pkg = await loadImagePackage(DEMO_MODEL_DIR);
  return {
    modelBytes: pkg.bytes,
    modelFile: pkg.modelPath,
    manifest: pkg.manifest,
    labels: pkg.labels,
    itemDims: new Preprocessor(pkg.manifest).itemDims,
    settings,
    entry: sourceWorkerEntry(),
  };
}

describe('InferenceClient (onnxruntime-node in a worker thread)', () => {
  it('loads the model in its worker and scores frames, reusing the input buffers', async () => {
    const opts = await demoOptions();
    const pre = new Preprocessor((await loadImagePackage(DEMO_MODEL_DIR)).manifest);
    const client = await InferenceClient.start(opts);
    try {
      expect(client.info.provider).toBe('cpu');
      expect(client.info.notes).toEqual([]); // the demo model ships with its denormals flushed
      const first = client.acquireInput();
      await pre.prepare(readFileSync(join(DEMO_FRAMES_DIR, '00000.jpg')), first);
      const result = await client.run(first, pre.batchDims(1));
      expect(result.output.length).toBe(2);
      expect(result.outputDims).toEqual([1, 2]);
      expect(result.output[0]! + result.output[1]!).toBeCloseTo(1, 5);
      // The buffer went to the worker and came back into the pool: the next frame reuses it.
      expect(first.length).toBe(0);
      const again = client.acquireInput();
      expect(again.length).toBe(3 * 64 * 64);
      client.releaseInput(again);
    } finally {
      await client.close();
    }
  });

  it('refuses a file that is not an ONNX model, with the reason, before any session exists', async () => {
    const start = InferenceClient.start({ ...(await demoOptions()), modelBytes: new TextEncoder().encode('this is not a model') });
    await expect(start).rejects.toThrow(ModelLoadError);
    await expect(start).rejects.toThrow(/the file is not an ONNX model/);
  });

  it('fails the frames in flight when it is closed, and refuses new ones', async () => {
    const client = await InferenceClient.start(await demoOptions());
    const inFlight = client.run(client.acquireInput(), [1, 3, 64, 64]).then(
      () => 'scored',
      (err: Error) => err.message,
    );
    await client.close();
    expect(await inFlight).toMatch(/inference worker closed/);
    await expect(client.run(new Float32Array(3 * 64 * 64), [1, 3, 64, 64])).rejects.toThrow(InferenceError);
  });
});
