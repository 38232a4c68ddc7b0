/**
 * This connection's session (operator or technician), kept current from the
 * session event and asked again whenever the connection comes back (a new
 * connection is a new session, an operator's), and the person's activity
 * reported to the station so that a technician who is working is not signed
 * out (at most every 15 s).
 */
import { useEffect, useState } from 'react';
import type { LineSightApi } from '../../../shared/contract';
import type { SessionInfo } from '../../../shared/session';
import type { ConnectionState } from './ws-api';

const TOUCH_EVERY_MS = 15_000;

export function useSession(api: LineSightApi, link: ConnectionState, doc: Document = document): [SessionInfo | null, (info: SessionInfo) => void] {
  const [session, setSession] = useState<SessionInfo | null>(null);
  useEffect(() => api.on('session', (s) => setSession(s)), [api]);
  useEffect(() => {
    if (link !== 'open') return;
    let alive = true;
    api.getSession({}).then(
      (s) => alive && setSession(s),
      () => {},
    );
    return () => {
      alive = false;
    };
  }, [api, link]);

  const technician = session?.role === 'technician';
  useEffect(() => {
    if (!technician) return;
    let last = 0;
    const onActivity = (): void => {
      const now = Date.now();
      if (now - last < TOUCH_EVERY_MS) return;
      last = now;
      api.touchSession({}).then(setSession, () => {});
    };
    doc.addEventListener('pointerdown', onActivity, true);
    doc.addEventListener('keydown', onActivity, true);
    return () => {
      doc.removeEventListener('pointerdown', onActivity, true);
      doc.removeEventListener('keydown', onActivity, true);
    };
  }, [api, doc, technician]);

  return [session, setSession];
}
