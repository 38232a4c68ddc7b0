/** Who is signed in on this screen, and for how long without activity; sign in or out. */
import { useEffect, useState } from 'react';
import type { SessionInfo } from '../../../shared/session';

function remaining(expiresAt: string, now: number): string {
  const s = Math.max(0, Math.round((Date.parse(expiresAt) - now) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function SessionChip({ session, onSignIn, onSignOut }: { session: SessionInfo | null; onSignIn: () => void; onSignOut: () => void }) {
  const [now, setNow] = useState(() => Date.now());
  const technician = session?.role === 'technician';
  useEffect(() => {
    if (!technician) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [technician]);
  if (!session) return null;
  if (!technician) {
    return (
      <div className="session" data-testid="session" data-role="operator">
        <span className="session-role">Operator</span>
        <button type="button" className="button" onClick={onSignIn} data-testid="sign-in-open">
          Technician sign-in
        </button>
      </div>
    );
  }
  return (
    <div className="session session-technician" data-testid="session" data-role="technician">
      <span className="session-role">
        Technician {session.user}
        {session.expiresAt && <span className="session-expiry">signs out if idle in {remaining(session.expiresAt, now)}</span>}
      </span>
      <button type="button" className="button" onClick={onSignOut} data-testid="sign-out">
        Sign out
      </button>
    </div>
  );
}
