/**
 * Technician sign-in: pick your name (when the station has several), type the
 * PIN. The station counts wrong PINs and locks the name for a while; its
 * message is shown as it comes. A station still on the demo PIN says so.
 *
 * While a name is locked the dialog counts down each second from what the
 * station says (SessionInfo.signInLocks: how long is left, not its clock, so a
 * PC with another time still counts right), says until when, and keeps the
 * PIN pad off until it runs out (issue 12: "try again in 58 s" once stayed
 * put with the pad on).
 */
import { useCallback, useEffect, useState } from 'react';
import type { LineSightApi } from '../../../shared/contract';
import type { SessionInfo, SignInLock } from '../../../shared/session';
import { Modal } from './Modal';
import { PinPad } from './PinPad';

/** A lock as this screen counts it: its end on this PC's clock. */
interface LocalLock {
  readonly name: string;
  readonly endsAt: number;
}

export function localLocks(locks: readonly SignInLock[], receivedAt: number): LocalLock[] {
  return locks.map((l) => ({ name: l.name, endsAt: receivedAt + l.remainingMs }));
}

/** Whole seconds left, as a person counts them down (58, 57, … 1). */
export const secondsLeft = (endsAt: number, now: number): number => Math.max(0, Math.ceil((endsAt - now) / 1000));

export function SignInDialog({
  api,
  session,
  reason,
  onSignedIn,
  onCancel,
}: {
  api: LineSightApi;
  session: SessionInfo;
  /** What the technician is signing in for, e.g. "to apply new thresholds". */
  reason?: string | undefined;
  onSignedIn: (info: SessionInfo) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(session.technicians[0] ?? '');
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [locks, setLocks] = useState<LocalLock[]>(() => localLocks(session.signInLocks, Date.now()));
  const [now, setNow] = useState(() => Date.now());

  // The session this page holds may be old: ask the station which names are locked now.
  const refreshLocks = useCallback(
    (): Promise<LocalLock[]> =>
      api.getSession({}).then(
        (s) => {
          const fresh = localLocks(s.signInLocks, Date.now());
          setLocks(fresh);
          setNow(Date.now());
          return fresh;
        },
        () => [],
      ),
    [api],
  );
  useEffect(() => void refreshLocks(), [refreshLocks]);

  const lock = locks.find((l) => l.name === name && l.endsAt > now) ?? null;
  const left = lock ? secondsLeft(lock.endsAt, now) : 0;
  // One tick as each whole second runs out, so the number moves once a second and the pad comes back on time.
  useEffect(() => {
    if (!lock) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.max(20, lock.endsAt - Date.now() - (left - 1) * 1000));
    return () => clearTimeout(timer);
  }, [lock, left, now]);
  const locked = lock !== null;

  const submit = useCallback(async () => {
    if (busy || locked) return;
    if (pin.length < 4) {
      setError('a PIN has at least 4 digits');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.signIn({ name, pin }));
    } catch (err) {
      setPin('');
      // A refusal that locked the name is said by the countdown, which outlives it; any other is shown as it came.
      const fresh = await refreshLocks();
      setError(fresh.some((l) => l.name === name) ? null : (err as Error).message);
    } finally {
      setBusy(false);
    }
  }, [api, busy, locked, name, pin, onSignedIn, refreshLocks]);

  const lockWords = lock
    ? `Sign-in for ${name} is locked after too many wrong PINs. Try again in ${left} s (at ${new Date(lock.endsAt).toLocaleTimeString()}).`
    : null;
  const submitWhy = lockWords ?? (busy ? 'Checking the PIN…' : pin.length === 0 ? 'Type your PIN first.' : null);
  return (
    <Modal title="Technician sign-in" onClose={onCancel} testId="sign-in">
      {reason && <p className="muted">Sign in {reason}.</p>}
      {session.technicians.length > 1 && (
        <div className="choice-row" role="radiogroup" aria-label="technician">
          {session.technicians.map((t) => (
            <button
              type="button"
              key={t}
              role="radio"
              aria-checked={t === name}
              className={`button ${t === name ? 'button-selected' : ''}`}
              onClick={() => setName(t)}
            >
              {t}
            </button>
          ))}
        </div>
      )}
      <PinPad value={pin} onChange={setPin} onEnter={() => void submit()} disabled={busy || locked} disabledReason={lockWords ?? 'Checking the PIN…'} />
      {lockWords ? (
        <div className="form-error" role="alert" data-testid="sign-in-locked" data-seconds={left}>
          {lockWords}
        </div>
      ) : (
        error && (
          <div className="form-error" role="alert" data-testid="sign-in-error">
            {error}
          </div>
        )
      )}
      {session.demoPin && (
        <p className="notice" data-testid="demo-pin">
          This station still uses the demo PIN 1234. Set your own in the config file (auth.technicians, hashes from npm run pin-hash).
        </p>
      )}
      <div className="modal-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className="button button-primary"
          onClick={() => void submit()}
          disabled={submitWhy !== null}
          title={submitWhy ?? undefined}
          data-testid="sign-in-submit"
        >
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </div>
    </Modal>
  );
}
