/**
 * The Electron shell: starts the engine, opens one locked-down window on the
 * built UI, carries the typed contract over IPC, and stops the engine (log
 * flushed) before the app quits. Takes the electron module as a parameter so
 * that the wiring is tested with a fake where the binary cannot run.
 */
import { pathToFileURL } from 'node:url';
import { createApiHandlers } from '../engine/api/handlers';
import type { BoundaryCounters } from '../engine/api/dispatch';
import type { AppLayout } from '../engine/app-layout';
import { bootEngine } from '../engine/boot';
import type { WorkerEntries } from '../engine/rpc/worker-entry';
import type { Logger } from '../engine/logger';
import type { StationEngine } from '../engine/station-engine';
import type { BrowserWindowLike, DesktopElectron } from './electron-seams';
import { forwardEngineEvents, registerIpcHandlers } from './ipc-bridge';
import { hardenWebContents, isAppUrl, restrictPermissions } from './security';
import { mainWindowOptions } from './window';

export interface DesktopShellOptions {
  readonly layout: AppLayout;
  /** The built preload script (out/preload/index.js). */
  readonly preloadPath: string;
  /** The built UI's page (out/renderer/index.html). */
  readonly rendererIndex: string;
  /** electron-vite's dev server, when running `electron-vite dev`. */
  readonly devServerUrl?: string | undefined;
  readonly configFile?: string | undefined;
  /** Default: Electron's per-user data folder. */
  readonly dataDir?: string | undefined;
  readonly logger: Logger;
  readonly workers: WorkerEntries;
}

export interface DesktopShell {
  readonly engine: StationEngine;
  readonly window: BrowserWindowLike;
  readonly counters: BoundaryCounters;
  /** Resolves once the engine has stopped and the log is flushed (after a quit). */
  readonly stopped: Promise<void>;
}

/** Resolves to null when the engine could not start (the user was shown why; the app exits with code 2). */
export async function startDesktopShell(electron: DesktopElectron, opts: DesktopShellOptions): Promise<DesktopShell | null> {
  const { app } = electron;
  const appUrl = opts.devServerUrl ?? pathToFileURL(opts.rendererIndex).href;
  // Every webContents, including any the page might try to create, is locked in.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, appUrl));
  await app.whenReady();
  restrictPermissions(electron.session.defaultSession, appUrl);

  let engine: StationEngine;
  try {
    ({ engine } = await bootEngine({
      configFile: opts.configFile,
      dataDir: opts.dataDir ?? app.getPath('userData'),
      app: opts.layout,
      logger: opts.logger,
      workers: opts.workers,
    }));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    opts.logger.error(`cannot start: ${message}`);
    electron.dialog.showErrorBox('LineSight cannot start', message);
    app.exit(2);
    return null;
  }

  const counters = engine.apiCounters;
  // The window is one session: whoever stands at the station's screen.
  const session = engine.sessions.open('ipc', 'desktop');
  const disposeIpc = registerIpcHandlers(electron.ipcMain, createApiHandlers(engine), {
    isTrustedSender: (url) => isAppUrl(url, appUrl),
    counters,
    session,
  });
  const window = new electron.BrowserWindow(mainWindowOptions(opts.preloadPath));
  const stopForwarding = forwardEngineEvents(engine, session, window.webContents);
  window.on('closed', () => {
    stopForwarding();
    session.close();
  });

  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  let stopping = false;
  let done = false;
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (done) return;
    // Hold the quit until the line is stopped and the log flushed.
    event.preventDefault();
    if (stopping) return;
    stopping = true;
    void engine
      .stop()
      .catch((err: unknown) => opts.logger.error(`stopping the engine failed: ${String(err)}`))
      .finally(() => {
        done = true;
        disposeIpc();
        resolveStopped();
        app.quit();
      });
  });

  if (opts.devServerUrl) await window.loadURL(opts.devServerUrl);
  else await window.loadFile(opts.rendererIndex);
  return { engine, window, counters, stopped };
}
