/**
 * The captures on the Teach page (issue 16): what the station kept to teach
 * from, by reason (maybe-band items, shadow disagreements, drift windows, a
 * random sample, labels from people), how many are labelled and by whom, what
 * the quotas passed over; the unlabelled ones to label here, the labelled
 * set to teach on (one tap fills the folder) or export to a stick.
 */
import { useCallback, useEffect, useState } from 'react';
import type { Capture, CaptureSummary } from '../../../shared/capture';
import { useStation } from '../api/station-context';
import { CaptureImage } from './CaptureImage';
import { LabelButtons } from './LabelButtons';

const REASON_WORDS: Record<string, string> = {
  maybe: 'maybe-band items',
  disagreement: 'shadow disagreements',
  drift: 'while drift stood',
  random: 'random sample',
  person: 'labelled by people',
};

function CaptureCard({ capture }: { capture: Capture }) {
  const { api } = useStation();
  return (
    <div className="disagreement" data-testid="capture-card" data-frame-id={capture.frameId} data-label={capture.label ?? ''}>
      <CaptureImage api={api} capture={capture} />
      <div className="small">
        {REASON_WORDS[capture.reason] ?? capture.reason} · said <strong>{capture.decision}</strong> {capture.rejectScore?.toFixed(3) ?? '–'}
      </div>
      <LabelButtons api={api} target={{ kind: 'capture', id: capture.id }} initial={capture.label} />
    </div>
  );
}

export function CapturesPanel({ onUse }: { onUse: (folder: string) => void }) {
  const { api, asTechnician } = useStation();
  const [summary, setSummary] = useState<CaptureSummary | null>(null);
  const [unlabelled, setUnlabelled] = useState<Capture[]>([]);
  const [dest, setDest] = useState('');
  const [exported, setExported] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);

  const load = useCallback(() => {
    api.getCaptureSummary({}).then(setSummary, (e: Error) => setError(e.message));
    api.listCaptures({ filter: { labelled: 'no' }, limit: 48 }).then(setUnlabelled, () => {});
  }, [api]);
  useEffect(load, [load]);

  const exportTo = async (): Promise<void> => {
    setError(null);
    if (!(await asTechnician())) return;
    setExporting(true);
    setExported(null);
    try {
      const r = await api.exportLabelledCaptures({ dest: dest.trim() });
      setExported(`${r.good} good and ${r.defective} defective pictures written to ${r.folder}`);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setExporting(false);
    }
  };
  const labelled = summary ? summary.labelled.good + summary.labelled.defective : 0;
  return (
    <section className="panel" data-testid="captures-panel">
      <h3>Captured items</h3>
      {summary && (
        <>
          <p data-testid="captures-summary">
            {Object.entries(summary.byReason)
              .map(([r, n]) => `${n} ${REASON_WORDS[r] ?? r}`)
              .join(' · ') || 'none yet'}
            . Labelled:{' '}
            <strong data-testid="captures-labelled">
              {summary.labelled.good} good, {summary.labelled.defective} defective
            </strong>
            {summary.labelsBy.length > 0 && <span className="muted"> (by {summary.labelsBy.map((l) => `${l.actor}: ${l.count}`).join(', ')})</span>}.
          </p>
          {Object.keys(summary.passedOver).length > 0 && (
            <p className="muted small">
              Passed over by the quotas:{' '}
              {Object.entries(summary.passedOver)
                .map(([r, n]) => `${n} ${REASON_WORDS[r] ?? r}`)
                .join(', ')}
            </p>
          )}
          <div className="choice-row">
            <button
              type="button"
              className="button"
              disabled={labelled === 0}
              title={labelled === 0 ? 'Label some items first (here, on the reject strip or in History).' : undefined}
              onClick={() => onUse(summary.folder)}
              data-testid="captures-use"
            >
              Teach on the labelled captures
            </button>
            <label className="field grow">
              <span>Export them to a folder on a stick</span>
              <input type="text" value={dest} onChange={(e) => setDest(e.target.value)} placeholder="/media/usb" data-testid="captures-dest" />
            </label>
            <button
              type="button"
              className="button"
              disabled={labelled === 0 || dest.trim() === '' || exporting}
              title={
                exporting
                  ? 'Copying the pictures: wait for it to finish.'
                  : labelled === 0
                    ? 'Nothing is labelled yet.'
                    : dest.trim() === ''
                      ? 'Name a folder first.'
                      : undefined
              }
              onClick={() => void exportTo()}
              data-testid="captures-export"
            >
              {exporting ? `Exporting ${labelled} pictures…` : 'Export'}
            </button>
          </div>
        </>
      )}
      {exported && (
        <div className="notice" role="status" data-testid="captures-exported">
          {exported}
        </div>
      )}
      {error && (
        <div className="form-error" role="alert">
          {error}
        </div>
      )}
      {unlabelled.length > 0 && (
        <>
          <h4>Not labelled yet</h4>
          <div className="disagreements">
            {unlabelled.map((c) => (
              <CaptureCard key={c.id} capture={c} />
            ))}
          </div>
          <button type="button" className="button button-quiet" onClick={load}>
            Show the ones still unlabelled
          </button>
        </>
      )}
    </section>
  );
}
