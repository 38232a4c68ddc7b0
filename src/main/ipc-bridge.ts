/**
 * Carries the typed contract over Electron IPC: one handler per operation,
 * each refusing frames other than the app's own page, then validated and
 * answered by the engine's boundary (dispatch) with a Result, never a throw.
 * Engine events go to the window's webContents on their channels.
 */
import { EVENT_NAMES, OPERATION_NAMES, ipcChannel, type ApiHandlers, type Result } from '../shared/contract';
import { dispatch, type BoundaryCounters } from './engine/api/dispatch';
import type { StationEngine } from './engine/station-engine';
import type { IpcMainLike, WebContentsLike } from './electron-seams';

export function registerIpcHandlers(
  ipcMain: IpcMainLike,
  handlers: ApiHandlers,
  opts: { readonly isTrustedSender: (url: string | undefined) => boolean; readonly counters: BoundaryCounters },
): () => void {
  for (const op of OPERATION_NAMES) {
    ipcMain.handle(ipcChannel.request(op), async (event, payload): Promise<Result<unknown>> => {
      if (!opts.isTrustedSender(event.senderFrame?.url)) {
        opts.counters.rejected++;
        return { ok: false, error: `${op} refused: the request did not come from the LineSight window` };
      }
      return dispatch(handlers, op, payload, opts.counters);
    });
  }
  return () => OPERATION_NAMES.forEach((op) => ipcMain.removeHandler(ipcChannel.request(op)));
}

export function forwardEngineEvents(engine: Pick<StationEngine, 'on'>, contents: WebContentsLike): () => void {
  const offs = EVENT_NAMES.map((event) =>
    engine.on(event, (payload) => {
      if (!contents.isDestroyed()) contents.send(ipcChannel.event(event), payload);
    }),
  );
  return () => offs.forEach((off) => off());
}
