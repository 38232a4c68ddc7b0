/**
 * Every change to the line says why, for the audit trail: a few common
 * reasons to tap (gloves), or one's own words. Nothing is applied without one.
 */
import { useState } from 'react';
import { Modal } from './Modal';

/** Why both buttons are off while the change is sent (a disabled control always says why: issue 12). */
const WAITING = 'Sent to the station: waiting for its answer.';

export function ReasonDialog({
  title,
  summary,
  suggestions,
  confirmLabel,
  onConfirm,
  onCancel,
}: {
  title: string;
  /** What will change, in words. */
  summary: string;
  suggestions: readonly string[];
  confirmLabel: string;
  /** Resolves when done; a rejection's message is shown and the dialog stays. */
  onConfirm: (reason: string) => Promise<void>;
  onCancel: () => void;
}) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const trimmed = reason.trim();
  const confirm = async (): Promise<void> => {
    if (!trimmed) {
      setError('say why: the audit trail keeps it');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onConfirm(trimmed);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <Modal title={title} onClose={onCancel} testId="reason-dialog">
      <p>{summary}</p>
      <div className="choice-row">
        {suggestions.map((s) => (
          <button type="button" key={s} className={`button ${s === reason ? 'button-selected' : ''}`} onClick={() => setReason(s)}>
            {s}
          </button>
        ))}
      </div>
      <label className="field">
        <span>Reason</span>
        <textarea value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} rows={2} data-testid="reason-input" />
      </label>
      {error && (
        <div className="form-error" role="alert" data-testid="reason-error">
          {error}
        </div>
      )}
      <div className="modal-actions">
        <button type="button" className="button" onClick={onCancel} disabled={busy} title={busy ? WAITING : undefined}>
          Cancel
        </button>
        <button
          type="button"
          className="button button-primary"
          onClick={() => void confirm()}
          disabled={busy}
          title={busy ? WAITING : undefined}
          data-testid="reason-confirm"
        >
          {busy ? 'Applying…' : confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
