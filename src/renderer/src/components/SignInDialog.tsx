/**
 * Technician sign-in: pick your name (when the station has several), type the
 * PIN. The station counts wrong PINs and locks the name for a while; its
 * message is shown as it comes. A station still on the demo PIN says so.
 */
import { useCallback, useState } from 'react';
import type { LineSightApi } from '../../../shared/contract';
import type { SessionInfo } from '../../../shared/session';
import { Modal } from './Modal';
import { PinPad } from './PinPad';

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

  const submit = useCallback(async () => {
    if (busy) return;
    if (pin.length < 4) {
      setError('a PIN has at least 4 digits');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.signIn({ name, pin }));
    } catch (err) {
      setError((err as Error).message.replace(/^signIn failed: /, ''));
      setPin('');
    } finally {
      setBusy(false);
    }
  }, [api, busy, name, pin, onSignedIn]);

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
      <PinPad value={pin} onChange={setPin} onEnter={() => void submit()} disabled={busy} />
      {error && (
        <div className="form-error" role="alert" data-testid="sign-in-error">
          {error}
        </div>
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
        <button type="button" className="button button-primary" onClick={() => void submit()} disabled={busy || pin.length === 0} data-testid="sign-in-submit">
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </div>
    </Modal>
  );
}
