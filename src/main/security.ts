/**
 * Locks the renderer in: it may show the app's own page and nothing else.
 * Navigation and new windows are denied, <webview> is refused, every
 * permission request (camera, microphone, notifications, …) is denied: the UI
 * needs none, the engine reads the camera itself.
 */
import type { SessionLike, WebContentsLike } from './electron-seams';

/** Whether a frame's URL is the app's own page (the built file, or the dev server). */
export function isAppUrl(url: string | undefined, appUrl: string): boolean {
  if (!url) return false;
  let candidate: URL;
  let app: URL;
  try {
    candidate = new URL(url);
    app = new URL(appUrl);
  } catch {
    return false;
  }
  if (app.protocol === 'file:') return candidate.protocol === 'file:' && candidate.pathname === app.pathname;
  return candidate.origin === app.origin;
}

export function hardenWebContents(contents: WebContentsLike, appUrl: string): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  const stayHome = (event: { preventDefault(): void }, url: string): void => {
    if (!isAppUrl(url, appUrl)) event.preventDefault();
  };
  contents.on('will-navigate', stayHome);
  contents.on('will-redirect', stayHome);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function denyAllPermissions(session: SessionLike): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
