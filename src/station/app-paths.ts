/**
 * Where the headless station (and the command-line tools built beside it)
 * find what ships with them: under the app's root, the nearest folder above
 * this module with a package.json. This module may be built into a shared
 * chunk (out/main/chunks/), so its own folder says nothing about the entry's.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import envPaths from 'env-paths';
import { appLayout, type AppLayout } from '../engine/app-layout';
import { BUILT_WORKER_FILE, builtWorkerEntries, sourceWorkerEntries, type WorkerEntries } from '../engine/rpc/worker-entry';

const moduleDir = dirname(fileURLToPath(import.meta.url));

function appRoot(): string {
  for (let dir = moduleDir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${moduleDir}: the app is incomplete`);
  }
}

export function stationLayout(): AppLayout {
  return appLayout(appRoot());
}

/** The built workers in out/main when this runs built, or their sources when run through tsx. */
export function stationWorkers(): WorkerEntries {
  const builtMain = resolve(appRoot(), 'out', 'main');
  return moduleDir.startsWith(builtMain) && existsSync(join(builtMain, BUILT_WORKER_FILE)) ? builtWorkerEntries(builtMain) : sourceWorkerEntries();
}

/** The per-user data folder (~/.local/share/LineSight, %APPDATA%\LineSight\Data, …). */
export function defaultDataDir(): string {
  return envPaths('LineSight', { suffix: '' }).data;
}
