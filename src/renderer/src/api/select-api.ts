/**
 * Picks the transport at start: the preload's IPC API inside Electron, the
 * station's WebSocket in a plain browser.
 */
import type { LineSightApi } from '../../../shared/contract';
import { createWebSocketApi } from './ws-api';

export interface SelectedApi {
  readonly api: LineSightApi;
  readonly transport: 'ipc' | 'websocket';
}

export function selectApi(win: Window): SelectedApi {
  if (win.api) return { api: win.api, transport: 'ipc' };
  const scheme = win.location.protocol === 'https:' ? 'wss' : 'ws';
  return { api: createWebSocketApi(`${scheme}://${win.location.host}/ws`), transport: 'websocket' };
}
