/**
 * Picks the transport at start: the preload's IPC API inside Electron, the
 * station's WebSocket in a plain browser. A station bound beyond loopback
 * wants its token: the page is opened as …/?token=…, the token is kept for
 * this tab (sessionStorage) and taken out of the address bar, and passed on
 * to the WebSocket. A page without it (or with a stale one) learns so from
 * GET /api/access and asks the person for it (ws-api.ts).
 */
import { ACCESS_PATH, StationAccessAnswerSchema, type StationAccessAnswer } from '../../../shared/access-config';
import type { LineSightApi } from '../../../shared/contract';
import { createWebSocketApi, type StationConnection } from './ws-api';

export interface SelectedApi {
  readonly api: LineSightApi;
  readonly transport: 'ipc' | 'websocket';
  /** The connection to the engine: always open over IPC. */
  readonly connection: StationConnection;
}

const TOKEN_KEY = 'linesight.token';

function takeToken(win: Window): string | null {
  const url = new URL(win.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    win.sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    win.history.replaceState(null, '', url.toString());
    return fromUrl;
  }
  return win.sessionStorage.getItem(TOKEN_KEY);
}

const withToken = (path: string, token: string | null): string => (token ? `${path}?token=${encodeURIComponent(token)}` : path);

/** The station's own answer, or null when it gives none (down, or a station from before /api/access). */
async function askAccess(win: Window, token: string | null): Promise<StationAccessAnswer | null> {
  try {
    const res = await win.fetch(`${win.location.origin}${withToken(ACCESS_PATH, token)}`, { cache: 'no-store' });
    if (!res.ok) return null;
    const parsed = StationAccessAnswerSchema.safeParse(await res.json());
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function selectApi(win: Window): SelectedApi {
  if (win.api) return { api: win.api, transport: 'ipc', connection: { state: 'open', onConnection: () => () => {} } };
  const scheme = win.location.protocol === 'https:' ? 'wss' : 'ws';
  const api = createWebSocketApi(
    { socketUrl: (token) => withToken(`${scheme}://${win.location.host}/ws`, token), checkAccess: (token) => askAccess(win, token) },
    takeToken(win),
  );
  const connection: StationConnection = {
    get state() {
      return api.state;
    },
    onConnection: (listener) => api.onConnection(listener),
    offerToken: (token) => {
      // Kept for this tab, as one from the address would be.
      win.sessionStorage.setItem(TOKEN_KEY, token);
      api.offerToken(token);
    },
  };
  return { api, transport: 'websocket', connection };
}
