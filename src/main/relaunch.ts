/**
 * The desktop app comes back by itself (docs/INSTALL.md, "When the station
 * stops"): an error that would end the process is logged, the engine is given
 * a few seconds to stop the line and flush the log, and the app starts itself
 * again (app.relaunch) — at most MAX_RELAUNCHES times in WINDOW_MS, counted in
 * the arguments it passes to its next self, so a fault at every start does not
 * loop for ever. While it is down, the reject output's heartbeat stops and the
 * sorter rejects on its own.
 */
import type { AppLike } from './electron-seams';
import type { Logger } from '../engine/logger';

export const MAX_RELAUNCHES = 5;
export const WINDOW_MS = 10 * 60_000;
const FLAG = '--relaunched-at=';
/** What the engine gets to stop the line and flush the log before the process goes. */
const STOP_GRACE_MS = 3000;

export interface RelaunchPlan {
  /** Start again, with these arguments; null: too many starts lately, stay down. */
  readonly args: readonly string[] | null;
  readonly recent: number;
}

/** From this process's arguments (without the executable) and the time: whether to start again, and with what. */
export function relaunchPlan(argv: readonly string[], now: number): RelaunchPlan {
  const earlier = argv
    .filter((a) => a.startsWith(FLAG))
    .flatMap((a) => a.slice(FLAG.length).split(','))
    .map(Number)
    .filter((t) => Number.isFinite(t) && now - t < WINDOW_MS);
  const recent = earlier.length + 1;
  if (recent > MAX_RELAUNCHES) return { args: null, recent };
  return { args: [...argv.filter((a) => !a.startsWith(FLAG)), `${FLAG}${[...earlier, now].join(',')}`], recent };
}

type RelaunchingApp = Pick<AppLike, 'relaunch' | 'exit'>;

/** The handler for an error nothing caught (process 'uncaughtException'): log, stop briefly, start again or stay down. */
export function relaunchOnFatal(
  app: RelaunchingApp,
  logger: Logger,
  argv: readonly string[],
  stopEngine: () => Promise<void>,
  now: () => number = Date.now,
): (err: unknown) => Promise<void> {
  let handling = false;
  return async (err) => {
    if (handling) return;
    handling = true;
    logger.error(`fatal error, the app starts again: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await Promise.race([stopEngine().catch(() => undefined), new Promise((r) => setTimeout(r, STOP_GRACE_MS))]);
    const plan = relaunchPlan(argv, now());
    // An AppImage runs from a mount that goes with this process: the next one starts from the AppImage file itself.
    const appImage = process.env['APPIMAGE'];
    if (plan.args) app.relaunch({ args: [...plan.args], ...(appImage ? { execPath: appImage } : {}) });
    else logger.error(`${plan.recent} fatal errors within ${WINDOW_MS / 60_000} minutes: the app stays closed until someone starts it`);
    app.exit(1);
  };
}
