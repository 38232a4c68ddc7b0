/**
 * The engine's handle on one model's inference worker: loads the model there,
 * sends batches, gets scores back. Input buffers move to the worker and back
 * (transferred, not copied) and are reused from a small pool.
 *
 * A worker that dies (an uncaught error, a native crash of the thread) fails
 * the frames it held, so the engine rejects them fail-safe, and is started
 * again with the same model, with a growing delay between attempts.
 */
import { Worker } from 'node:worker_threads';
import type { ModelManifest } from '../../../shared/manifest';
import { ModelProblemsError } from '../model-prep/model-problems';
import type { FromWorker, LoadedInfo, LoadRequest, ToWorker } from './protocol';
import type { SessionSettings } from './session-settings';
import type { WorkerEntry } from './worker-entry';

export class InferenceError extends Error {
  override readonly name = 'InferenceError';
}

/** The model could not be loaded; `problems` holds one sentence each. */
export class ModelLoadError extends ModelProblemsError {
  override readonly name = 'ModelLoadError';
}

export interface InferenceResult {
  readonly output: Float32Array;
  readonly outputDims: readonly number[];
  readonly inferMs: number;
}

export type ClientState = 'ready' | 'restarting' | 'closed';

export interface InferenceClientOptions {
  readonly modelBytes: Uint8Array;
  /** For messages: where the bytes came from. */
  readonly modelFile: string;
  readonly manifest: ModelManifest;
  readonly labels: readonly string[];
  /** Dims of one input item, batch 1. */
  readonly itemDims: readonly number[];
  readonly settings: SessionSettings;
  readonly entry: WorkerEntry;
  /** Items one input buffer holds (the largest batch the engine will send). */
  readonly capacity?: number;
  readonly returnPrepared?: boolean;
  /** Told when a worker died and when it is back, for the log and status. */
  readonly onWorkerEvent?: (event: { readonly kind: 'died' | 'restarted' | 'restart-failed'; readonly message: string }) => void;
  /** Delays before successive restart attempts, ms; the last repeats. */
  readonly restartDelaysMs?: readonly number[];
}

interface Pending {
  readonly resolve: (r: InferenceResult) => void;
  readonly reject: (e: Error) => void;
}

const CLOSE_GRACE_MS = 5000;
const DEFAULT_RESTART_DELAYS_MS = [100, 500, 2000, 5000];

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

/** Starts a worker and loads the model in it; resolves once it is warm. */
function spawnLoaded(opts: InferenceClientOptions): Promise<{ worker: Worker; info: LoadedInfo; prepared: Uint8Array | null }> {
  const worker = new Worker(opts.entry.file, { execArgv: [...opts.entry.execArgv] });
  return new Promise<{ worker: Worker; info: LoadedInfo; prepared: Uint8Array | null }>((resolve, reject) => {
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (m: FromWorker): void => {
      cleanup();
      if (m.type === 'loaded') {
        const { type: _type, prepared, ...info } = m;
        resolve({ worker, info, prepared });
      } else if (m.type === 'load-failed') reject(new ModelLoadError(m.message, m.problems));
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
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    const load: LoadRequest = {
      type: 'load',
      modelBytes: opts.modelBytes,
      modelFile: opts.modelFile,
      manifest: opts.manifest,
      labels: opts.labels,
      warmupDims: opts.itemDims,
      settings: opts.settings,
      returnPrepared: opts.returnPrepared ?? false,
    };
    worker.postMessage(load);
  }).catch(async (err: unknown) => {
    await closeWorker(worker);
    throw err;
  });
}

export class InferenceClient {
  private readonly pool: Float32Array[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly bufferSize: number;
  private nextId = 1;
  private _state: ClientState = 'ready';
  private restartTimer: NodeJS.Timeout | null = null;
  private restartAttempt = 0;
  /** Workers that died and were started again. */
  restarts = 0;

  private constructor(
    private worker: Worker,
    private _info: LoadedInfo,
    /** The model as the worker prepared it, when asked for (returnPrepared). */
    readonly prepared: Uint8Array | null,
    private readonly opts: InferenceClientOptions,
  ) {
    this.bufferSize = opts.itemDims.reduce((a, b) => a * b, 1) * (opts.capacity ?? 1);
    this.watch(worker);
  }

  static async start(opts: InferenceClientOptions): Promise<InferenceClient> {
    const { worker, info, prepared } = await spawnLoaded(opts);
    return new InferenceClient(worker, info, prepared, opts);
  }

  get info(): LoadedInfo {
    return this._info;
  }

  get state(): ClientState {
    return this._state;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Floats per input buffer: capacity × one item. */
  get inputSize(): number {
    return this.bufferSize;
  }

  /** A buffer for up to `capacity` items; give it to run() (which takes ownership) or back with releaseInput(). */
  acquireInput(): Float32Array {
    return this.pool.pop() ?? new Float32Array(this.bufferSize);
  }

  releaseInput(input: Float32Array): void {
    if (input.length === this.bufferSize && input.buffer.byteLength > 0) this.pool.push(input);
  }

  run(input: Float32Array, dims: readonly number[]): Promise<InferenceResult> {
    if (this._state !== 'ready') {
      this.releaseInput(input);
      return Promise.reject(new InferenceError(this._state === 'closed' ? 'inference worker closed' : 'inference worker is restarting'));
    }
    const id = this.nextId++;
    return new Promise<InferenceResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const message: ToWorker = { type: 'run', id, input, dims };
      this.worker.postMessage(message, [input.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    if (this._state === 'closed') return;
    this._state = 'closed';
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.failAll('inference worker closed');
    await closeWorker(this.worker);
  }

  private watch(worker: Worker): void {
    worker.on('message', (m: FromWorker) => this.onMessage(m));
    let reported = false;
    const died = (reason: string): void => {
      if (reported || worker !== this.worker || this._state === 'closed') return;
      reported = true;
      this.failAll(reason);
      this._state = 'restarting';
      this.opts.onWorkerEvent?.({ kind: 'died', message: reason });
      this.scheduleRestart();
    };
    worker.on('error', (err) => died(`inference worker crashed: ${err.message}`));
    worker.on('exit', (code) => died(`inference worker stopped unexpectedly (exit code ${code})`));
  }

  private scheduleRestart(): void {
    const delays = this.opts.restartDelaysMs ?? DEFAULT_RESTART_DELAYS_MS;
    const delay = delays[Math.min(this.restartAttempt, delays.length - 1)] ?? 1000;
    this.restartAttempt++;
    this.restartTimer = setTimeout(() => void this.restart(), delay);
  }

  private async restart(): Promise<void> {
    this.restartTimer = null;
    if (this._state === 'closed') return;
    try {
      const { worker, info } = await spawnLoaded({ ...this.opts, returnPrepared: false });
      // close() may have run while the worker was loading.
      if ((this._state as ClientState) === 'closed') {
        await closeWorker(worker);
        return;
      }
      this.worker = worker;
      this._info = info;
      this.watch(worker);
      this._state = 'ready';
      this.restarts++;
      this.restartAttempt = 0;
      this.opts.onWorkerEvent?.({ kind: 'restarted', message: `inference worker restarted on ${info.provider}` });
    } catch (err) {
      this.opts.onWorkerEvent?.({ kind: 'restart-failed', message: `inference worker could not be restarted: ${(err as Error).message}` });
      this.scheduleRestart();
    }
  }

  private onMessage(m: FromWorker): void {
    if (m.type !== 'result' && m.type !== 'run-failed') return;
    this.releaseInput(m.input);
    const pending = this.pending.get(m.id);
    if (!pending) return;
    this.pending.delete(m.id);
    if (m.type === 'result') pending.resolve({ output: m.output, outputDims: m.outputDims, inferMs: m.inferMs });
    else pending.reject(new InferenceError(`inference failed: ${m.message}`));
  }

  private failAll(reason: string): void {
    for (const p of this.pending.values()) p.reject(new InferenceError(reason));
    this.pending.clear();
  }
}
