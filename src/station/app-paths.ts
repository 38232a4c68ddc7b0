/**
 * Where the headless station finds what ships with it. Both the source file
 * (src/station/) and the built bundle (out/main/) sit two folders below the
 * app's root.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import envPaths from 'env-paths';
import { appLayout, type AppLayout } from '../engine/app-layout';
import { BUILT_WORKER_FILE, builtWorkerEntries, sourceWorkerEntries, type WorkerEntries } from '../engine/rpc/worker-entry';

const entryDir = dirname(fileURLToPath(import.meta.url));

export function stationLayout(): AppLayout {
  return appLayout(resolve(entryDir, '..', '..'));
}

/** The built workers beside out/main/station.js, or their sources when run through tsx. */
export function stationWorkers(): WorkerEntries {
  return existsSync(join(entryDir, BUILT_WORKER_FILE)) ? builtWorkerEntries(entryDir) : sourceWorkerEntries();
}

/** The per-user data folder (~/.local/share/LineSight, %APPDATA%\LineSight\Data, …). */
export function defaultDataDir(): string {
  return envPaths('LineSight', { suffix: '' }).data;
}
