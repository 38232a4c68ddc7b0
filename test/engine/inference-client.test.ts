import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InferenceClient, InferenceError } from '../../src/main/engine/inference/inference-client';
import { sourceWorkerEntry } from '../../src/main/engine/inference/worker-entry';
import { loadModelPackage } from '../../src/main/engine/model-package';
import { Preprocessor } from '../../src/main/engine/preprocess/preprocessor';
import { DEMO_FRAMES_DIR, DEMO_MODEL_DIR } from '../helpers/paths';

const settings = { intraOpThreads: 1, warmupRuns: 2 };

describe('InferenceClient (onnxruntime-node in a worker thread)', () => {
  it('loads the model in its worker and scores frames, reusing the input buffers', async () => {
    const pkg = await loadModelPackage(DEMO_MODEL_DIR);
    const pre = new Preprocessor(pkg.manifest);
    const client = await InferenceClient.start({
      modelBytes: pkg.bytes,
      inputName: pkg.manifest.input.name,
      outputName: pkg.manifest.output.name,
      inputDims: pre.dims,
      settings,
      entry: sourceWorkerEntry(),
    });
    try {
      expect(client.info.provider).toBe('cpu');
      const first = client.acquireInput();
      const prepared = await pre.prepare(readFileSync(join(DEMO_FRAMES_DIR, '00000.jpg')), first);
      const result = await client.run(prepared.data, prepared.dims);
      expect(result.output.length).toBe(2);
      expect(result.output[0]! + result.output[1]!).toBeCloseTo(1, 5);
      expect(result.inferMs).toBeGreaterThan(0);
      // The buffer went to the worker and came back into the pool: the next frame reuses it.
      expect(first.length).toBe(0);
      const again = client.acquireInput();
      expect(again.length).toBe(3 * 64 * 64);
      client.releaseInput(again);
    } finally {
      await client.close();
    }
  });

  it("refuses a file that is not an ONNX model with the runtime's reason", async () => {
    const start = InferenceClient.start({
      modelBytes: new TextEncoder().encode('this is not a model'),
      inputName: 'image',
      outputName: 'probabilities',
      inputDims: [1, 3, 64, 64],
      settings,
      entry: sourceWorkerEntry(),
    });
    await expect(start).rejects.toThrow(InferenceError);
    await expect(start).rejects.toThrow(/model could not be loaded/);
  });

  it('fails the frames in flight when it is closed, and refuses new ones', async () => {
    const pkg = await loadModelPackage(DEMO_MODEL_DIR);
    const client = await InferenceClient.start({
      modelBytes: pkg.bytes,
      inputName: 'image',
      outputName: 'probabilities',
      inputDims: [1, 3, 64, 64],
      settings,
      entry: sourceWorkerEntry(),
    });
    const inFlight = client.run(client.acquireInput(), [1, 3, 64, 64]).then(
      () => 'scored',
      (err: Error) => err.message,
    );
    await client.close();
    expect(await inFlight).toMatch(/inference worker closed/);
    await expect(client.run(new Float32Array(3 * 64 * 64), [1, 3, 64, 64])).rejects.toThrow(InferenceError);
  });
});
