/**
 * The few parts of Electron that the shell touches, described structurally.
 * The real `electron` module satisfies them; the tests pass a fake, because
 * the Electron binary cannot run on the build machine (docs/BACKGROUND.md).
 * Nothing here imports electron.
 */

export interface SenderFrameLike {
  readonly url: string;
}

export interface IpcInvokeEventLike {
  readonly senderFrame: SenderFrameLike | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface PreventableEventLike {
  preventDefault(): void;
}

export interface WebContentsLike {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: PreventableEventLike, url: string) => void): this;
  on(event: 'will-attach-webview', listener: (event: PreventableEventLike) => void): this;
}

export interface SessionLike {
  setPermissionRequestHandler(
    handler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void, details: { readonly requestingUrl?: string }) => void) | null,
  ): void;
  setPermissionCheckHandler(handler: ((webContents: unknown, permission: string, requestingOrigin: string) => boolean) | null): void;
}

export interface BrowserWindowLike {
  readonly webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
  loadFile(file: string): Promise<void>;
  on(event: 'closed', listener: () => void): this;
}

export interface AppLike {
  whenReady(): Promise<unknown>;
  on(event: 'window-all-closed' | 'before-quit' | 'activate', listener: (event: PreventableEventLike) => void): this;
  on(event: 'web-contents-created', listener: (event: unknown, contents: WebContentsLike) => void): this;
  getPath(name: 'userData'): string;
  getAppPath(): string;
  quit(): void;
  exit(code?: number): void;
  /** Start the app again once this process exits (relaunch.ts). */
  relaunch(options?: { args?: string[]; execPath?: string }): void;
}

/** What the desktop shell needs from the electron module. */
export interface DesktopElectron {
  readonly app: AppLike;
  readonly ipcMain: IpcMainLike;
  readonly session: { readonly defaultSession: SessionLike };
  readonly dialog: { showErrorBox(title: string, content: string): void };
  readonly BrowserWindow: new (options: WindowOptions) => BrowserWindowLike;
}

/** The BrowserWindow options the shell sets (a subset of Electron's). */
export interface WindowOptions {
  readonly width: number;
  readonly height: number;
  readonly minWidth: number;
  readonly minHeight: number;
  readonly backgroundColor: string;
  readonly title: string;
  readonly show: boolean;
  readonly autoHideMenuBar: boolean;
  readonly webPreferences: {
    readonly preload: string;
    readonly contextIsolation: true;
    readonly sandbox: true;
    readonly nodeIntegration: false;
    readonly nodeIntegrationInWorker: false;
    readonly webSecurity: true;
    readonly allowRunningInsecureContent: false;
    readonly webviewTag: false;
    readonly spellcheck: false;
  };
}
