/**
 * Where the engine's worker threads' code is: the model's inference worker,
 * the log worker, the query worker, the benchmark worker, the teach worker, the quantise worker, and the model
 * load probe (a child process, not a thread: models/probe-child.ts; its
 * execArgv go to the child's Node). Built (electron-vite): out/main/*.js, beside the
 * shell's entry; the shell says where that is, because bundled chunks do not
 * know their entry's folder. From source (vitest, tsx): the .ts files, run
 * through tsx's loader.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WorkerEntry {
  readonly file: string;
  readonly execArgv: readonly string[];
}

export interface WorkerEntries {
  readonly inference: WorkerEntry;
  readonly log: WorkerEntry;
  /** Reads of the log for the UI (history, what-if, exports). */
  readonly query: WorkerEntry;
  /** A benchmark run (the panel's). */
  readonly bench: WorkerEntry;
  /** The first load of a model file, in a child process under a memory cap. */
  readonly modelProbe: WorkerEntry;
  /** Teaching a model (features, fit), at low priority. */
  readonly teach: WorkerEntry;
  /** Measuring activation ranges for an INT8 variant, at low priority. */
  readonly quantize: WorkerEntry;
}

export const BUILT_WORKER_FILE = 'inference-worker.js';
export const BUILT_LOG_WORKER_FILE = 'log-worker.js';
export const BUILT_QUERY_WORKER_FILE = 'query-worker.js';
export const BUILT_BENCH_WORKER_FILE = 'bench-worker.js';
export const BUILT_MODEL_PROBE_FILE = 'model-probe.js';
export const BUILT_TEACH_WORKER_FILE = 'teach-worker.js';
export const BUILT_QUANTIZE_WORKER_FILE = 'quantize-worker.js';

function built(dir: string, name: string): WorkerEntry {
  const file = join(dir, name);
  if (!existsSync(file)) throw new Error(`worker ${file} is missing: run npm run build`);
  return { file, execArgv: [] };
}

function source(relativeToEngine: string): WorkerEntry {
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', relativeToEngine);
  if (!existsSync(file)) throw new Error(`worker source ${file} is missing`);
  // tsx's CommonJS hook: a worker does not inherit ESM loader hooks given with --import (Node 20).
  return { file, execArgv: ['--require', 'tsx/cjs'] };
}

/** The built inference worker beside a shell's entry file (out/main). */
export function builtWorkerEntry(builtMainDir: string): WorkerEntry {
  return built(builtMainDir, BUILT_WORKER_FILE);
}

/** The inference worker's source, for code run from source (tests, scripts). */
export function sourceWorkerEntry(): WorkerEntry {
  return source('inference/inference-worker.ts');
}

export function builtWorkerEntries(builtMainDir: string): WorkerEntries {
  return {
    inference: built(builtMainDir, BUILT_WORKER_FILE),
    log: built(builtMainDir, BUILT_LOG_WORKER_FILE),
    query: built(builtMainDir, BUILT_QUERY_WORKER_FILE),
    bench: built(builtMainDir, BUILT_BENCH_WORKER_FILE),
    modelProbe: built(builtMainDir, BUILT_MODEL_PROBE_FILE),
    teach: built(builtMainDir, BUILT_TEACH_WORKER_FILE),
    quantize: built(builtMainDir, BUILT_QUANTIZE_WORKER_FILE),
  };
}

export function sourceWorkerEntries(): WorkerEntries {
  return {
    inference: sourceWorkerEntry(),
    log: source('log/log-worker.ts'),
    query: source('storage/query-worker.ts'),
    bench: source('bench/scenarios/bench-worker.ts'),
    modelProbe: source('models/probe-child.ts'),
    teach: source('teach/teach-worker.ts'),
    quantize: source('variants/quantize-worker.ts'),
  };
}
