/**
 * An image model ready for frames: its package, its preprocessor and its
 * warm inference worker, with the batch size the engine will use for it.
 */
import type { InferenceConfig } from '../../shared/config';
import type { ParityResult } from '../../shared/parity';
import { InferenceClient, type InferenceClientOptions } from '../inference/inference-client';
import type { SessionSettings } from '../inference/session-settings';
import type { WorkerEntry } from '../rpc/worker-entry';
import type { ImageModelPackage } from '../model-package';
import { Preprocessor } from '../preprocess/preprocessor';

export interface LoadedModel {
  readonly pkg: ImageModelPackage;
  readonly preprocessor: Preprocessor;
  readonly client: InferenceClient;
  /** Items per inference: 1 in latency mode or for a fixed-batch model, else maxBatch. */
  readonly batchSize: number;
  /** The provider preferred that failed its start-up self-test (provider-self-test.ts): this model runs on the CPU instead. */
  readonly selfTestFailure?: { readonly provider: string; readonly reason: string };
  /** What the parity gate found before this model went live (parity/run-parity.ts); absent for a model with no record. */
  readonly parity?: ParityResult;
}

export interface LoadModelOptions {
  readonly settings: SessionSettings;
  readonly entry: WorkerEntry;
  readonly mode: InferenceConfig['mode'];
  readonly maxBatch: number;
  readonly returnPrepared?: boolean;
  /** Below the line's priority: a shadow candidate (inference-worker.ts). */
  readonly background?: boolean;
  readonly onWorkerEvent?: InferenceClientOptions['onWorkerEvent'];
  readonly alterOutput?: InferenceClientOptions['alterOutput'];
}

export function batchSizeFor(pkg: ImageModelPackage, mode: InferenceConfig['mode'], maxBatch: number): number {
  return mode === 'throughput' && pkg.manifest.input.batch === 'dynamic' ? maxBatch : 1;
}

/** Starts the model's worker, checks, prepares and warms the model there; throws ModelLoadError with the reasons. */
export async function loadImageModel(pkg: ImageModelPackage, opts: LoadModelOptions): Promise<LoadedModel> {
  const preprocessor = new Preprocessor(pkg.manifest);
  const batchSize = batchSizeFor(pkg, opts.mode, opts.maxBatch);
  const client = await InferenceClient.start({
    modelBytes: pkg.bytes,
    modelFile: pkg.modelPath,
    manifest: pkg.manifest,
    labels: pkg.labels,
    itemDims: preprocessor.itemDims,
    settings: opts.settings,
    entry: opts.entry,
    capacity: batchSize,
    returnPrepared: opts.returnPrepared ?? false,
    ...(opts.background ? { background: true } : {}),
    ...(opts.onWorkerEvent ? { onWorkerEvent: opts.onWorkerEvent } : {}),
    ...(opts.alterOutput ? { alterOutput: opts.alterOutput } : {}),
  });
  return { pkg, preprocessor, client, batchSize };
}
