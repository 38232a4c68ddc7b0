/**
 * Where the inference worker's code is. Built (electron-vite): out/main/
 * inference-worker.js, beside the shell's entry; the shell says where that
 * is, because bundled chunks do not know their entry's folder. From source
 * (vitest, tsx): the .ts file, run through tsx's loader.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WorkerEntry {
  readonly file: string;
  readonly execArgv: readonly string[];
}

export const BUILT_WORKER_FILE = 'inference-worker.js';

/** The built worker beside a shell's entry file (out/main). */
export function builtWorkerEntry(builtMainDir: string): WorkerEntry {
  const file = join(builtMainDir, BUILT_WORKER_FILE);
  if (!existsSync(file)) throw new Error(`inference worker ${file} is missing: run npm run build`);
  return { file, execArgv: [] };
}

/** The worker's source, for code run from source (tests, scripts). */
export function sourceWorkerEntry(): WorkerEntry {
  const file = join(dirname(fileURLToPath(import.meta.url)), 'inference-worker.ts');
  if (!existsSync(file)) throw new Error(`inference worker source ${file} is missing`);
  // tsx's CommonJS hook: a worker does not inherit ESM loader hooks given with --import (Node 20).
  return { file, execArgv: ['--require', 'tsx/cjs'] };
}
