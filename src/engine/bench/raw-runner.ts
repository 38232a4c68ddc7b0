/**
 * The floor every figure is compared with: a bare onnxruntime-node
 * session.run loop on one pre-made tensor, same model, same session options,
 * nothing else. The tensor is made from the same decoded frames the engine
 * gets (values matter: random inputs can drive a random-weight network into
 * denormal activations, which are slower). Runs on the calling thread (it is
 * the bench, not the line).
 */
import * as ort from 'onnxruntime-node';
import type { ExecutionProvider } from '../../shared/config';
import { sessionOptions } from '../inference/session-factory';
import type { SessionSettings } from '../inference/session-settings';
import type { ImageModelPackage } from '../model-package';
import { prepareModel } from '../model-prep/prepare-model';
import type { ImageInput } from '../preprocess/image-decoder';
import { Preprocessor } from '../preprocess/preprocessor';

export interface Budget {
  readonly minRuns: number;
  readonly minMs: number;
}

export class RawRunner {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly feeds: Record<string, ort.Tensor>,
    private readonly fetches: string[],
  ) {}

  /** On `provider` (default the first the settings prefer): the floor of the same provider the engine runs on. */
  static async create(
    pkg: ImageModelPackage,
    settings: SessionSettings,
    batch: number,
    frames: readonly ImageInput[],
    provider: ExecutionProvider = settings.providers[0] ?? 'cpu',
  ): Promise<RawRunner> {
    // The same bytes the engine loads (repairs applied), so both run the same graph.
    const { bytes } = prepareModel({ file: pkg.modelPath, bytes: pkg.bytes, manifest: pkg.manifest, labels: pkg.labels });
    const session = await ort.InferenceSession.create(bytes, sessionOptions(settings, provider, false));
    const pre = new Preprocessor(pkg.manifest);
    const data = new Float32Array(batch * pre.itemSize);
    for (let i = 0; i < batch; i++) await pre.prepare(frames[i % frames.length]!, data, i);
    const runner = new RawRunner(session, { [pkg.manifest.input.name]: new ort.Tensor('float32', data, pre.batchDims(batch)) }, [pkg.manifest.output.name]);
    for (let i = 0; i < settings.warmupRuns; i++) await session.run(runner.feeds, runner.fetches);
    return runner;
  }

  /** Times of one session.run of the whole batch, ms. */
  async measure(budget: Budget): Promise<number[]> {
    const runMs: number[] = [];
    const start = performance.now();
    while (runMs.length < budget.minRuns || performance.now() - start < budget.minMs) {
      const t0 = performance.now();
      await this.session.run(this.feeds, this.fetches);
      runMs.push(performance.now() - t0);
    }
    return runMs;
  }

  close(): Promise<void> {
    return this.session.release();
  }
}
