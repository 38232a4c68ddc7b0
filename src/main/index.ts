/**
 * Electron main process entry (electron-vite builds it to out/main/index.js).
 * All the wiring is in shell.ts; this file only hands it the real electron.
 *
 *   LineSight [--config FILE] [--data-dir DIR]
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as electron from 'electron';
import { appLayout, packagedAppLayout } from '../engine/app-layout';
import { builtWorkerEntries } from '../engine/rpc/worker-entry';
import { consoleLogger } from '../engine/logger';
import { relaunchOnFatal } from './relaunch';
import { startDesktopShell } from './shell';

// The last line of defence (issue 11): a promise some part forgot to catch is logged, not the end of the line.
process.on('unhandledRejection', (reason) =>
  consoleLogger.error(`internal error (the line goes on): ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`),
);

const here = dirname(fileURLToPath(import.meta.url));
// Electron adds its own switches to argv; ours are picked out, the rest ignored.
const { values } = parseArgs({
  args: process.argv.slice(1),
  options: { config: { type: 'string' }, 'data-dir': { type: 'string' } },
  strict: false,
  allowPositionals: true,
});
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

// An error nothing caught would end the app with the line: it starts itself again instead (relaunch.ts).
let stopEngine: () => Promise<void> = () => Promise.resolve();
const onFatal = relaunchOnFatal(electron.app, consoleLogger, process.argv.slice(1), () => stopEngine());
process.on('uncaughtException', (err) => void onFatal(err));

void startDesktopShell(electron, {
  layout: electron.app.isPackaged ? packagedAppLayout(electron.app.getAppPath(), process.resourcesPath) : appLayout(electron.app.getAppPath()),
  preloadPath: join(here, '..', 'preload', 'index.js'),
  rendererIndex: join(here, '..', 'renderer', 'index.html'),
  devServerUrl: process.env['ELECTRON_RENDERER_URL'],
  configFile: text(values['config']),
  dataDir: text(values['data-dir']) !== undefined ? resolve(text(values['data-dir'])!) : undefined,
  logger: consoleLogger,
  workers: builtWorkerEntries(here),
}).then((shell) => {
  if (shell) stopEngine = () => shell.engine.stop();
});
