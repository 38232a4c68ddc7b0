/**
 * Picks the transport at start: the preload's IPC API inside Electron, the
 * station's WebSocket in a plain browser. A station bound beyond loopback
 * wants its token: the page is opened as …/?token=…, the token is kept for
 * this tab (sessionStorage) and taken out of the address bar, and passed on
 * to the WebSocket.
 */
import type { LineSightApi } from '../../../shared/contract';
import { createWebSocketApi, type ConnectionState } from './ws-api';

export interface SelectedApi {
  readonly api: LineSightApi;
  readonly transport: 'ipc' | 'websocket';
  /** The connection to the engine: always open over IPC. */
  readonly connection: { readonly state: ConnectionState; onConnection(listener: (state: ConnectionState) => void): () => void };
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

export function selectApi(win: Window): SelectedApi {
  if (win.api) return { api: win.api, transport: 'ipc', connection: { state: 'open', onConnection: () => () => {} } };
  const scheme = win.location.protocol === 'https:' ? 'wss' : 'ws';
  const token = takeToken(win);
  const api = createWebSocketApi(`${scheme}://${win.location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`);
  return { api, transport: 'websocket', connection: api };
}
