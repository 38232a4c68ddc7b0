/**
 * The Electron shell's wiring, on a fake electron module (the binary cannot
 * run here) around the real engine, the real preload API and the real
 * contract: window security, permissions, IPC from the app's frame only,
 * events to the page, and a quit that flushes the log first.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ipcChannel, type Result } from '../../src/shared/contract';
import type { Inspection } from '../../src/shared/inspection';
import { DATABASE_FILE } from '../../src/engine/boot';
import { sourceWorkerEntries } from '../../src/engine/rpc/worker-entry';
import { silentLogger } from '../../src/engine/logger';
import { startDesktopShell, type DesktopShell } from '../../src/main/shell';
import { createPreloadApi } from '../../src/preload/api';
import { LAYOUT, ROOT } from '../helpers/paths';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';
import { createFakeElectron, type FakeBrowserWindow, fakeIpcRenderer, type FakeElectron } from './fakes/fake-electron';

const RENDERER_INDEX = join(ROOT, 'out', 'renderer', 'index.html');
const PAGE_URL = pathToFileURL(RENDERER_INDEX).href;

describe('Electron shell (fake electron, real engine)', () => {
  const tempDir = useTempDirs();
  let running: { shell: DesktopShell; electron: FakeElectron } | null = null;

  afterEach(async () => {
    if (running) {
      running.electron.app.quit();
      await running.shell.stopped;
      running = null;
    }
  });

  async function start(config: object = { source: { kind: 'replay', fps: 30 } }): Promise<{ shell: DesktopShell; electron: FakeElectron; dataDir: string }> {
    const dataDir = tempDir();
    const configFile = join(dataDir, 'station.json');
    writeFileSync(configFile, JSON.stringify(config));
    const electron = createFakeElectron({ userData: dataDir, appPath: ROOT });
    const shell = await startDesktopShell(electron, {
      layout: LAYOUT,
      preloadPath: join(ROOT, 'out', 'preload', 'index.js'),
      rendererIndex: RENDERER_INDEX,
      configFile,
      logger: silentLogger,
      workers: sourceWorkerEntries(),
    });
    if (!shell) throw new Error(`shell did not start: ${JSON.stringify(electron.errorBoxes)}`);
    running = { shell, electron };
    return { shell, electron, dataDir };
  }

  it('opens one isolated, sandboxed window without Node, on the built UI, with the preload', async () => {
    const { shell } = await start();
    const win = shell.window as FakeBrowserWindow;
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
      preload: join(ROOT, 'out', 'preload', 'index.js'),
    });
    expect(win.loaded).toEqual({ kind: 'file', target: RENDERER_INDEX });
  });

  it('denies navigation away from the app, new windows, webviews and every permission but full screen for the app', async () => {
    const { shell, electron } = await start();
    const contents = (shell.window as FakeBrowserWindow).webContents;
    expect(contents.fire('will-navigate', 'https://example.com/')).toBe(true);
    expect(contents.fire('will-redirect', 'file:///etc/passwd')).toBe(true);
    expect(contents.fire('will-navigate', PAGE_URL + '#/live')).toBe(false);
    expect(contents.fire('will-attach-webview')).toBe(true);
    expect(contents.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    const session = electron.session.defaultSession;
    const ask = (permission: string, requestingUrl: string): Promise<boolean> =>
      new Promise<boolean>((resolve) => session.requestHandler?.(contents, permission, resolve, { requestingUrl }));
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'serial', 'hid']) {
      expect(await ask(permission, PAGE_URL)).toBe(false);
    }
    expect(await ask('fullscreen', PAGE_URL + '#/live')).toBe(true);
    expect(await ask('fullscreen', 'https://example.com/')).toBe(false);
    expect(session.checkHandler?.(contents, 'notifications', 'file://')).toBe(false);
    expect(session.checkHandler?.(contents, 'fullscreen', 'file://')).toBe(true);
    expect(session.checkHandler?.(contents, 'fullscreen', 'https://example.com')).toBe(false);
  });

  it('ships the page with a strict Content-Security-Policy: own scripts and styles only, no eval, no inline code', () => {
    const html = readFileSync(RENDERER_INDEX, 'utf8');
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(csp).toBeDefined();
    const directives = Object.fromEntries(
      csp!
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v]),
    );
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    // The built page has no inline script for the policy to have to allow.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('makes the window one session: read-only until a technician signs in, told of its own session changes', async () => {
    const { shell, electron } = await start();
    const contents = (shell.window as FakeBrowserWindow).webContents;
    const api = createPreloadApi(fakeIpcRenderer(electron.ipcMain, contents, PAGE_URL));
    expect(await api.getSession({})).toMatchObject({ role: 'operator', transport: 'ipc', peer: 'desktop', demoPin: true });
    await expect(api.setThresholds({ thresholds: { pit: 0.7, maybe: 0.4 }, reason: 'trial' })).rejects.toThrow(
      'Changing the thresholds needs a technician: sign in with your PIN first',
    );
    await expect(api.signIn({ name: 'technician', pin: '4321' })).rejects.toThrow(/wrong PIN/);
    const sessions: string[] = [];
    api.on('session', (s) => sessions.push(`${s.role}:${s.user}`));
    await api.signIn({ name: 'technician', pin: '1234' });
    expect(await api.setThresholds({ thresholds: { pit: 0.7, maybe: 0.4 }, reason: 'trial' })).toEqual({ pit: 0.7, maybe: 0.4 });
    expect((await api.getAudit({ limit: 1 }))[0]).toMatchObject({ actor: 'technician (desktop)', subject: 'thresholds', reason: 'trial' });
    await api.signOut({});
    expect(sessions).toEqual(['technician:technician', 'operator:null']);
    expect(shell.engine.getStatus().api).toMatchObject({ denied: 1, failed: 1 });
    expect(shell.engine.getStatus().clients).toEqual({ open: 1, technicians: 0 });
  });

  it('serves the typed API to the page through the preload, and sends events to it', async () => {
    const { shell, electron } = await start();
    const contents = (shell.window as FakeBrowserWindow).webContents;
    const api = createPreloadApi(fakeIpcRenderer(electron.ipcMain, contents, PAGE_URL));
    const seen: Inspection[] = [];
    const off = api.on('inspection', (i) => seen.push(i));
    await waitFor('five inspections sent to the page', () => seen.length >= 5);
    off();
    const status = await api.getStatus({});
    expect(status.model).toMatchObject({ name: 'demo-cherry', state: 'ready', provider: 'cpu' });
    expect(status.frames.seen).toBeGreaterThanOrEqual(5);
    const recent = await api.getRecentInspections({ limit: 3 });
    expect(recent).toHaveLength(3);
    const image = await api.getFrameImage({ frameId: recent[0]!.frameId });
    expect(image?.jpeg).toBeInstanceOf(Uint8Array);
    expect(image!.jpeg[0]).toBe(0xff); // JPEG SOI
    await expect(api.getRecentInspections({ limit: 100_000 })).rejects.toThrow(/^Reading the latest items was refused: the request was not valid \(limit/);
    // Unsubscribed listeners get nothing more.
    const count = seen.length;
    await waitFor('another frame', async () => (await api.getStatus({})).frames.seen > status.frames.seen + 2);
    expect(seen.length).toBe(count);
    await waitFor('a status event sent to the page', () => contents.sent.some((m) => m.channel === ipcChannel.event('status')));
  });

  it('refuses IPC from any frame but the app page, and counts it', async () => {
    const { shell, electron } = await start();
    for (const sender of ['https://evil.example/', 'file:///tmp/other.html', null]) {
      const reply = (await electron.ipcMain.invoke(ipcChannel.request('getStatus'), sender, {})) as Result<unknown>;
      expect(reply).toEqual({ ok: false, error: 'refused: the request did not come from the LineSight window' });
    }
    expect(shell.counters.rejected).toBe(3);
    const bad = (await electron.ipcMain.invoke(ipcChannel.request('getFrameImage'), PAGE_URL, { frameId: -1 })) as Result<unknown>;
    expect(bad.ok).toBe(false);
    expect(shell.counters.rejected).toBe(4);
    expect(shell.counters.accepted).toBe(0);
    // Diagnostics see the refusals too.
    expect(shell.engine.getStatus().api).toEqual({ accepted: 0, rejected: 4, denied: 0, failed: 0 });
  });

  it('holds the quit until the engine has stopped and the log is flushed', async () => {
    const { shell, electron, dataDir } = await start({ source: { kind: 'replay', fps: 30 }, storage: { flushIntervalMs: 10_000, flushRows: 10_000 } });
    await waitFor('some frames', () => shell.engine.getStatus().frames.seen >= 5);
    electron.app.quit();
    expect(electron.app.quitted).toBe(false);
    await shell.stopped;
    expect(electron.app.quitted).toBe(true);
    expect(electron.ipcMain.handlers.size).toBe(0);
    const { decisions } = shell.engine.getStatus();
    const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
    const rows = (db.prepare('SELECT COUNT(*) AS n FROM inspections').get() as { n: number }).n;
    db.close();
    expect(rows).toBe(decisions.clean + decisions.maybe + decisions.pit);
    running = null;
  });

  it('shows why it cannot start and exits with code 2 on a bad config file', async () => {
    const dataDir = tempDir();
    const configFile = join(dataDir, 'station.json');
    writeFileSync(configFile, '{ "source": { "fps": "fast" } }');
    const electron = createFakeElectron({ userData: dataDir, appPath: ROOT });
    const shell = await startDesktopShell(electron, {
      layout: LAYOUT,
      preloadPath: 'unused',
      rendererIndex: RENDERER_INDEX,
      configFile,
      logger: silentLogger,
      workers: sourceWorkerEntries(),
    });
    expect(shell).toBeNull();
    expect(electron.app.exitCode).toBe(2);
    expect(electron.errorBoxes[0]?.title).toBe('LineSight cannot start');
    expect(electron.errorBoxes[0]?.content).toMatch(/station\.json is invalid: source/);
  });
});
