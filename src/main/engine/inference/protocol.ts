/** Messages between the engine and an inference worker (one worker per model). */
import type { ExecutionProvider } from '../../../shared/config';
import type { ModelManifest } from '../../../shared/manifest';
import type { ProviderFallback } from './session-factory';
import type { SessionSettings } from './session-settings';

export interface LoadRequest {
  readonly type: 'load';
  /** The file as it is on disk; the worker checks and prepares it (prepare-model.ts). */
  readonly modelBytes: Uint8Array;
  readonly modelFile: string;
  readonly manifest: ModelManifest;
  readonly labels: readonly string[];
  /** Input dims of one warm-up item (batch 1). */
  readonly warmupDims: readonly number[];
  readonly settings: SessionSettings;
  /** Send the prepared bytes back (the registry stores them). */
  readonly returnPrepared: boolean;
}

export type ToWorker =
  | LoadRequest
  | {
      readonly type: 'run';
      readonly id: number;
      /** Transferred to the worker and back, so it is reused without copies; may be longer than dims need. */
      readonly input: Float32Array;
      readonly dims: readonly number[];
    }
  /** Release the session and let the thread end by itself (terminating a thread inside ONNX Runtime can abort the process). */
  | { readonly type: 'close' };

export interface LoadedInfo {
  readonly provider: ExecutionProvider;
  readonly fallbacks: readonly ProviderFallback[];
  /** What preparing the model changed (ZipMap, denormals, float16 casts). */
  readonly notes: readonly string[];
  readonly opset: number;
  /** The model's float16 edges now take and give float32 (prepare-model.ts). */
  readonly float16Wrapped: boolean;
  readonly loadMs: number;
  readonly warmupMs: number;
}

export type FromWorker =
  | ({ readonly type: 'loaded'; readonly prepared: Uint8Array | null } & LoadedInfo)
  | { readonly type: 'load-failed'; readonly message: string; readonly problems: readonly string[] }
  | {
      readonly type: 'result';
      readonly id: number;
      readonly input: Float32Array;
      readonly output: Float32Array;
      readonly outputDims: readonly number[];
      readonly inferMs: number;
    }
  | { readonly type: 'run-failed'; readonly id: number; readonly input: Float32Array; readonly message: string };
