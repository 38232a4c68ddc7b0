/**
 * The engine's handle on one model's inference worker: loads the model there,
 * sends batches, gets scores back. Input buffers move to the worker and back
 * (transferred, not copied) and are reused from a small pool.
 *
 * A worker that dies (an uncaught error, a native crash of the thread) fails
 * the frames it held, so the engine rejects them fail-safe, and is started
 * again with the same model, with a growing delay between attempts.
 */
import type { ModelManifest } from '../../shared/manifest';
import { ModelProblemsError } from '../model-prep/model-problems';
import { RestartBackoff } from '../rpc/restart-backoff';
import { RpcError, WorkerLink } from '../rpc/worker-link';
import type { InferenceProtocol, LoadedInfo, LoadRequest } from './protocol';
import type { SessionSettings } from './session-settings';
import type { WorkerEntry } from '../rpc/worker-entry';

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
  /** Below the line's priority (inference-worker.ts). */
  readonly background?: boolean;
  /** Told when a worker died and when it is back, for the log and status. */
  readonly onWorkerEvent?: (event: { readonly kind: 'died' | 'restarted' | 'restart-failed'; readonly message: string }) => void;
  /** Delays before successive restart attempts, ms; the last repeats. */
  readonly restartDelaysMs?: readonly number[];
  /**
   * A test seam: changes each output before anyone reads it, standing in for a provider that computes differently
   * (no GPU exists where the tests run). Never set by the station's own code.
   */
  readonly alterOutput?: (output: Float32Array) => void;
}

type Link = WorkerLink<InferenceProtocol>;

const CLOSE_GRACE_MS = 5000;
const DEFAULT_RESTART_DELAYS_MS = [100, 500, 2000, 5000];

/** Starts a worker and loads the model in it; resolves once it is warm. `onDeath`: it died after loading. */
async function spawnLoaded(
  opts: InferenceClientOptions,
  onDeath: (reason: string) => void,
): Promise<{ link: Link; info: LoadedInfo; prepared: Uint8Array | null }> {
  const load: LoadRequest = {
    modelBytes: opts.modelBytes,
    modelFile: opts.modelFile,
    manifest: opts.manifest,
    labels: opts.labels,
    warmupDims: opts.itemDims,
    settings: opts.settings,
    returnPrepared: opts.returnPrepared ?? false,
    ...(opts.background ? { background: true } : {}),
  };
  try {
    const { link, opened } = await WorkerLink.open<InferenceProtocol>(opts.entry, load, { name: 'inference worker', onDeath });
    const { prepared, ...info } = opened;
    return { link, info, prepared };
  } catch (err) {
    // The worker's own answer lists the model's problems; anything else is the worker's end.
    if (err instanceof RpcError && err.answered) throw new ModelLoadError(err.message, err.problems);
    throw new InferenceError(`inference worker could not load the model: ${(err as Error).message}`);
  }
}

export class InferenceClient {
  private readonly pool: Float32Array[] = [];
  private readonly bufferSize: number;
  private _state: ClientState = 'ready';
  private restartTimer: NodeJS.Timeout | null = null;
  private readonly backoff: RestartBackoff;
  private link!: Link;
  /** Workers that died and were started again. */
  restarts = 0;

  private constructor(
    private _info: LoadedInfo,
    /** The model as the worker prepared it, when asked for (returnPrepared). */
    readonly prepared: Uint8Array | null,
    private readonly opts: InferenceClientOptions,
  ) {
    this.bufferSize = opts.itemDims.reduce((a, b) => a * b, 1) * (opts.capacity ?? 1);
    this.backoff = new RestartBackoff(opts.restartDelaysMs ?? DEFAULT_RESTART_DELAYS_MS);
  }

  static async start(opts: InferenceClientOptions): Promise<InferenceClient> {
    let client: InferenceClient | null = null;
    const { link, info, prepared } = await spawnLoaded(opts, (reason) => client?.died(link, reason));
    client = new InferenceClient(info, prepared, opts);
    client.link = link;
    return client;
  }

  get info(): LoadedInfo {
    return this._info;
  }

  get state(): ClientState {
    return this._state;
  }

  get inFlight(): number {
    return this.link.inFlight;
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

  async run(input: Float32Array, dims: readonly number[]): Promise<InferenceResult> {
    if (this._state !== 'ready') {
      this.releaseInput(input);
      throw new InferenceError(this._state === 'closed' ? 'inference worker closed' : 'inference worker is restarting');
    }
    let answer;
    try {
      answer = await this.link.call('run', { input, dims }, [input.buffer as ArrayBuffer]);
    } catch (err) {
      // The worker died or was closed with the batch: the buffer went with it.
      throw new InferenceError(err instanceof Error ? err.message : String(err));
    }
    this.releaseInput(answer.input);
    if ('failure' in answer) throw new InferenceError(`inference failed: ${answer.failure}`);
    this.opts.alterOutput?.(answer.output);
    return { output: answer.output, outputDims: answer.outputDims, inferMs: answer.inferMs };
  }

  async close(): Promise<void> {
    if (this._state === 'closed') return;
    this._state = 'closed';
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.link.close(CLOSE_GRACE_MS);
  }

  /** The worker died with the frames it held (each failed with the reason): it is started again after a delay. */
  private died(link: Link, reason: string): void {
    if (link !== this.link || this._state === 'closed') return;
    this._state = 'restarting';
    this.opts.onWorkerEvent?.({ kind: 'died', message: reason });
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    this.restartTimer = setTimeout(() => void this.restart(), this.backoff.nextDelayMs());
  }

  private async restart(): Promise<void> {
    this.restartTimer = null;
    if (this._state === 'closed') return;
    try {
      const { link, info } = await spawnLoaded({ ...this.opts, returnPrepared: false }, (reason) => this.died(link, reason));
      // close() may have run while the worker was loading.
      if ((this._state as ClientState) === 'closed') {
        await link.close(CLOSE_GRACE_MS);
        return;
      }
      this.link = link;
      this._info = info;
      this._state = 'ready';
      this.restarts++;
      this.backoff.reset();
      this.opts.onWorkerEvent?.({ kind: 'restarted', message: `inference worker restarted on ${info.provider}` });
    } catch (err) {
      this.opts.onWorkerEvent?.({ kind: 'restart-failed', message: `inference worker could not be restarted: ${(err as Error).message}` });
      this.scheduleRestart();
    }
  }
}
