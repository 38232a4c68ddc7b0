/**
 * Locks the renderer in: it may show the app's own page and nothing else.
 * Navigation and new windows are denied, <webview> is refused, and every
 * permission request (camera, microphone, notifications, …) is denied but
 * full screen for the app's own page (the operator's kiosk view): the engine
 * reads the camera itself, the UI needs nothing else.
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

/** The only permission the UI needs. */
export const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['fullscreen']);

export function restrictPermissions(session: SessionLike, appUrl: string): void {
  const app = new URL(appUrl);
  // A check gets only the requesting origin: file:// pages have the opaque origin "file://".
  const isAppOrigin = (origin: string): boolean => (app.protocol === 'file:' ? origin === 'file://' || origin === 'file:///' : origin === app.origin);
  session.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(GRANTED_PERMISSIONS.has(permission) && isAppUrl(details.requestingUrl, appUrl)),
  );
  session.setPermissionCheckHandler((_contents, permission, origin) => GRANTED_PERMISSIONS.has(permission) && isAppOrigin(origin));
}
