/** What the engine asks of an inference worker (one worker per model). */
import type { ExecutionProvider } from '../../shared/config';
import type { ModelManifest } from '../../shared/manifest';
import type { ProviderFallback } from './session-factory';
import type { SessionSettings } from './session-settings';

export interface LoadRequest {
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
  /** Run below the line's priority (a shadow candidate): on Linux the worker thread, and ONNX Runtime's threads it starts, are niced. */
  readonly background?: boolean;
}

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

/** A batch to score: `input` is transferred to the worker and back, so it is reused without copies; it may be longer than dims need. */
export interface RunRequest {
  readonly input: Float32Array;
  readonly dims: readonly number[];
}

/** The scores, or why there are none; the input buffer comes back either way. */
export type RunAnswer =
  | { readonly input: Float32Array; readonly output: Float32Array; readonly outputDims: readonly number[]; readonly inferMs: number }
  | { readonly input: Float32Array; readonly failure: string };

/** An inference worker's protocol (rpc/rpc-protocol.ts): opened by loading one model, then runs batches of it. */
export type InferenceProtocol = {
  open: { args: LoadRequest; result: LoadedInfo & { readonly prepared: Uint8Array | null } };
  calls: { run: { args: RunRequest; result: RunAnswer } };
  tells: Record<never, never>;
  notes: never;
};
