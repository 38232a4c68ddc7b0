/**
 * A fake of the parts of electron the shell uses (src/main/electron-seams.ts).
 * The Electron binary cannot run on the build machine (docs/BACKGROUND.md); this
 * fake behaves like it where the shell depends on it: web-contents-created
 * for every window, before-quit that can be prevented, ipcMain.handle per
 * channel, payloads structured-cloned across the "process" boundary.
 */
import { EventEmitter } from 'node:events';
import type {
  AppLike,
  BrowserWindowLike,
  DesktopElectron,
  IpcInvokeEventLike,
  IpcMainLike,
  SessionLike,
  WebContentsLike,
  WindowOptions,
} from '../../../src/main/electron-seams';

export class FakeWebContents extends EventEmitter implements WebContentsLike {
  readonly sent: { channel: string; payload: unknown }[] = [];
  openHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;
  destroyed = false;
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, payload: structuredClone(args[0]) });
    this.emit('ipc-message-to-page', channel, structuredClone(args[0]));
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
  /** Fires a preventable event the way Electron does; true when a listener prevented it. */
  fire(event: 'will-navigate' | 'will-redirect' | 'will-attach-webview', url = ''): boolean {
    let prevented = false;
    this.emit(event, { preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
}

export class FakeBrowserWindow extends EventEmitter implements BrowserWindowLike {
  static readonly created: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loaded: { kind: 'url' | 'file'; target: string } | null = null;
  constructor(
    readonly options: WindowOptions,
    app: FakeApp,
  ) {
    super();
    FakeBrowserWindow.created.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  async loadURL(url: string): Promise<void> {
    this.loaded = { kind: 'url', target: url };
  }
  async loadFile(file: string): Promise<void> {
    this.loaded = { kind: 'file', target: file };
  }
}

export class FakeApp extends EventEmitter implements AppLike {
  quitted = false;
  exitCode: number | null = null;
  constructor(
    private readonly userData: string,
    private readonly appPath: string,
  ) {
    super();
  }
  async whenReady(): Promise<void> {}
  getPath(): string {
    return this.userData;
  }
  getAppPath(): string {
    return this.appPath;
  }
  quit(): void {
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.quitted = true;
  }
  relaunched: { args?: string[]; execPath?: string }[] = [];
  relaunch(options: { args?: string[]; execPath?: string } = {}): void {
    this.relaunched.push(options);
  }
  exit(code = 0): void {
    this.exitCode = code;
  }
}

type Handler = (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>;

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, listener: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What ipcRenderer.invoke does: the payload is cloned, the sender frame is attached. */
  async invoke(channel: string, senderUrl: string | null, payload: unknown): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    const reply = await handler({ senderFrame: senderUrl === null ? null : { url: senderUrl } }, structuredClone(payload));
    return structuredClone(reply);
  }
}

export class FakeSession implements SessionLike {
  requestHandler:
    ((webContents: unknown, permission: string, callback: (granted: boolean) => void, details: { readonly requestingUrl?: string }) => void) | null = null;
  checkHandler: ((webContents: unknown, permission: string, requestingOrigin: string) => boolean) | null = null;
  setPermissionRequestHandler(handler: typeof this.requestHandler): void {
    this.requestHandler = handler;
  }
  setPermissionCheckHandler(handler: typeof this.checkHandler): void {
    this.checkHandler = handler;
  }
}

export interface FakeElectron extends DesktopElectron {
  readonly app: FakeApp;
  readonly ipcMain: FakeIpcMain;
  readonly session: { readonly defaultSession: FakeSession };
  readonly errorBoxes: { title: string; content: string }[];
}

export function createFakeElectron(opts: { userData: string; appPath: string }): FakeElectron {
  const app = new FakeApp(opts.userData, opts.appPath);
  const errorBoxes: { title: string; content: string }[] = [];
  return {
    app,
    ipcMain: new FakeIpcMain(),
    session: { defaultSession: new FakeSession() },
    dialog: { showErrorBox: (title, content) => void errorBoxes.push({ title, content }) },
    BrowserWindow: class extends FakeBrowserWindow {
      constructor(options: WindowOptions) {
        super(options, app);
      }
    },
    errorBoxes,
  };
}

/** ipcRenderer as the preload sees it, wired to the fake main process and one window. */
export function fakeIpcRenderer(ipcMain: FakeIpcMain, contents: FakeWebContents, pageUrl: string) {
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  contents.on('ipc-message-to-page', (channel: string, payload: unknown) => {
    listeners.get(channel)?.forEach((l) => l({ sender: 'ipc-event-object' }, payload));
  });
  return {
    invoke: (channel: string, ...args: unknown[]) => ipcMain.invoke(channel, pageUrl, args[0]),
    on(channel: string, listener: (event: unknown, ...args: unknown[]) => void) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      return this;
    },
    removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void) {
      listeners.get(channel)?.delete(listener);
      return this;
    },
  };
}
