/**
 * Carries the typed contract over Electron IPC: one handler per operation,
 * each refusing frames other than the app's own page, then validated and
 * answered by the engine's boundary (dispatch) with a Result, never a throw.
 * The window is one session (operator, or a technician signed in on it).
 * Engine events go to the window's webContents on their channels; the
 * session's changes go to the window alone.
 */
import { BROADCAST_EVENTS, OPERATION_NAMES, ipcChannel, type ApiHandlers, type Caller, type Result } from '../shared/contract';
import type { SessionInfo } from '../shared/session';
import { dispatch, type BoundaryCounters } from '../engine/api/dispatch';
import type { StationEngine } from '../engine/station-engine';
import type { IpcMainLike, WebContentsLike } from './electron-seams';

export function registerIpcHandlers(
  ipcMain: IpcMainLike,
  handlers: ApiHandlers,
  opts: { readonly isTrustedSender: (url: string | undefined) => boolean; readonly counters: BoundaryCounters; readonly session: Caller },
): () => void {
  for (const op of OPERATION_NAMES) {
    ipcMain.handle(ipcChannel.request(op), async (event, payload): Promise<Result<unknown>> => {
      if (!opts.isTrustedSender(event.senderFrame?.url)) {
        opts.counters.rejected++;
        return { ok: false, error: 'refused: the request did not come from the LineSight window' };
      }
      return dispatch(handlers, op, payload, opts.counters, opts.session);
    });
  }
  return () => OPERATION_NAMES.forEach((op) => ipcMain.removeHandler(ipcChannel.request(op)));
}

export function forwardEngineEvents(
  engine: Pick<StationEngine, 'on'>,
  session: { onChange(listener: (info: SessionInfo) => void): () => void },
  contents: WebContentsLike,
): () => void {
  const send = (channel: string, payload: unknown): void => {
    if (!contents.isDestroyed()) contents.send(channel, payload);
  };
  const offs = BROADCAST_EVENTS.map((event) => engine.on(event, (payload) => send(ipcChannel.event(event), payload)));
  offs.push(session.onChange((info) => send(ipcChannel.event('session'), info)));
  return () => offs.forEach((off) => off());
}
