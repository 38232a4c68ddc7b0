/**
 * "Really good" / "Really defective" (issue 16): anyone at the line —
 * operator or technician — says what an item really was. The station keeps
 * it as a labelled capture to teach and calibrate from, and writes the label
 * to the audit trail under this person's name.
 */
import { useState } from 'react';
import type { LineSightApi } from '../../../shared/contract';
import type { ItemLabel, LabelTarget } from '../../../shared/capture';

export function LabelButtons({ api, target, initial = null }: { api: LineSightApi; target: LabelTarget; initial?: ItemLabel | null }) {
  const [label, setLabel] = useState<ItemLabel | null>(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const say = async (next: ItemLabel): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const capture = await api.labelItem({ target, label: next });
      setLabel(capture.label);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="label-buttons" data-testid="label-buttons">
      <div className="muted small">What was it really? Your answer teaches the next model.</div>
      <div className="choice-row">
        <button
          type="button"
          className={`button${label === 'good' ? ' button-primary' : ''}`}
          disabled={busy}
          title={busy ? 'Sent to the station: waiting for its answer.' : undefined}
          onClick={() => void say('good')}
          data-testid="label-good"
        >
          Really good
        </button>
        <button
          type="button"
          className={`button${label === 'defective' ? ' button-danger' : ''}`}
          disabled={busy}
          title={busy ? 'Sent to the station: waiting for its answer.' : undefined}
          onClick={() => void say('defective')}
          data-testid="label-defective"
        >
          Really defective
        </button>
      </div>
      {label && (
        <div className="notice small" role="status" data-testid="label-saved">
          Labelled {label === 'good' ? 'really good' : 'really defective'}.
        </div>
      )}
      {error && (
        <div className="form-error" role="alert" data-testid="label-error">
          {error}
        </div>
      )}
    </div>
  );
}
