/** Messages between the engine and its inference worker (one worker per model). */

export interface SessionSettings {
  readonly intraOpThreads: number;
  readonly warmupRuns: number;
}

export type ToWorker =
  | {
      readonly type: 'load';
      readonly modelBytes: Uint8Array;
      readonly inputName: string;
      readonly outputName: string;
      /** input dims of one warm-up batch */
      readonly warmupDims: readonly number[];
      readonly settings: SessionSettings;
    }
  | {
      readonly type: 'run';
      readonly id: number;
      /** transferred to the worker and back, so it is reused without copies */
      readonly input: Float32Array;
      readonly dims: readonly number[];
    }
  /** Release the session and let the thread end by itself (terminating a thread inside ONNX Runtime can abort the process). */
  | { readonly type: 'close' };

export type FromWorker =
  | { readonly type: 'loaded'; readonly provider: string; readonly loadMs: number; readonly warmupMs: number }
  | { readonly type: 'load-failed'; readonly message: string }
  | { readonly type: 'result'; readonly id: number; readonly input: Float32Array; readonly output: Float32Array; readonly inferMs: number }
  | { readonly type: 'run-failed'; readonly id: number; readonly input: Float32Array; readonly message: string };
