/**
 * The engine's handle on one inference worker: loads the model there, sends
 * frames, gets scores back. Input buffers move to the worker and back
 * (transferred, not copied) and are reused from a small pool.
 */
import { Worker } from 'node:worker_threads';
import type { FromWorker, SessionSettings, ToWorker } from './protocol';
import type { WorkerEntry } from './worker-entry';

export class InferenceError extends Error {
  override readonly name = 'InferenceError';
}

export interface InferenceResult {
  readonly output: Float32Array;
  readonly inferMs: number;
}

export interface LoadedModelInfo {
  readonly provider: string;
  readonly loadMs: number;
  readonly warmupMs: number;
}

interface Pending {
  readonly resolve: (r: InferenceResult) => void;
  readonly reject: (e: Error) => void;
}

const CLOSE_GRACE_MS = 5000;

/** Asks the worker to release its session and end; terminates it only if it does not within the grace period. */
async function closeWorker(worker: Worker): Promise<void> {
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  try {
    worker.postMessage({ type: 'close' } satisfies ToWorker);
  } catch {
    // already gone
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), CLOSE_GRACE_MS)));
  if ((await Promise.race([exited, late])) === 'late') await worker.terminate();
  clearTimeout(timer);
}

export class InferenceClient {
  private readonly pool: Float32Array[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: string | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly inputSize: number,
    readonly info: LoadedModelInfo,
  ) {
    worker.on('message', (m: FromWorker) => this.onMessage(m));
    worker.on('error', (err) => this.failAll(`inference worker crashed: ${err.message}`));
    worker.on('exit', (code) => this.failAll(`inference worker exited (code ${code})`));
  }

  /** Starts a worker and loads the model in it; resolves once it is warm. */
  static async start(opts: {
    readonly modelBytes: Uint8Array;
    readonly inputName: string;
    readonly outputName: string;
    /** dims of one input item, batch 1 */
    readonly inputDims: readonly number[];
    readonly settings: SessionSettings;
    readonly entry: WorkerEntry;
  }): Promise<InferenceClient> {
    const worker = new Worker(opts.entry.file, { execArgv: [...opts.entry.execArgv] });
    const loaded = await new Promise<LoadedModelInfo>((resolve, reject) => {
      const onMessage = (m: FromWorker): void => {
        cleanup();
        if (m.type === 'loaded') resolve({ provider: m.provider, loadMs: m.loadMs, warmupMs: m.warmupMs });
        else if (m.type === 'load-failed') reject(new InferenceError(`model could not be loaded: ${m.message}`));
        else reject(new InferenceError(`unexpected message while loading: ${m.type}`));
      };
      const onError = (err: Error): void => {
        cleanup();
        reject(new InferenceError(`inference worker failed to start: ${err.message}`));
      };
      const onExit = (code: number): void => {
        cleanup();
        reject(new InferenceError(`inference worker exited while loading (code ${code})`));
      };
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      const load: ToWorker = {
        type: 'load',
        modelBytes: opts.modelBytes,
        inputName: opts.inputName,
        outputName: opts.outputName,
        warmupDims: opts.inputDims,
        settings: opts.settings,
      };
      worker.postMessage(load);
    }).catch(async (err: unknown) => {
      await closeWorker(worker);
      throw err;
    });
    const size = opts.inputDims.reduce((a, b) => a * b, 1);
    return new InferenceClient(worker, size, loaded);
  }

  /** A buffer for one input item; give it to run() (which takes ownership). */
  acquireInput(): Float32Array {
    return this.pool.pop() ?? new Float32Array(this.inputSize);
  }

  /** Gives back a buffer that was acquired but not sent (the frame failed before inference). */
  releaseInput(input: Float32Array): void {
    if (input.length === this.inputSize && input.buffer.byteLength > 0) this.pool.push(input);
  }

  get inFlight(): number {
    return this.pending.size;
  }

  run(input: Float32Array, dims: readonly number[]): Promise<InferenceResult> {
    if (this.failure) return Promise.reject(new InferenceError(this.failure));
    const id = this.nextId++;
    return new Promise<InferenceResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const message: ToWorker = { type: 'run', id, input, dims };
      this.worker.postMessage(message, [input.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.failAll('inference worker closed');
    await closeWorker(this.worker);
  }

  private onMessage(m: FromWorker): void {
    if (m.type !== 'result' && m.type !== 'run-failed') return;
    if (m.input.length === this.inputSize) this.pool.push(m.input);
    const pending = this.pending.get(m.id);
    if (!pending) return;
    this.pending.delete(m.id);
    if (m.type === 'result') pending.resolve({ output: m.output, inferMs: m.inferMs });
    else pending.reject(new InferenceError(`inference failed: ${m.message}`));
  }

  private failAll(reason: string): void {
    this.failure ??= reason;
    for (const p of this.pending.values()) p.reject(new InferenceError(reason));
    this.pending.clear();
  }
}
