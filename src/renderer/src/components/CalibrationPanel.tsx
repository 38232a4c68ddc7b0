/**
 * The running model's calibration on the Thresholds page (issue 15): what it
 * vouches for and on what, the cost table at the proposed and at the current
 * thresholds, the PR and ROC curves with the operating point, what the
 * sliders' thresholds would do on the same labelled set, and the two actions
 * of a technician — calibrate on a labelled folder, apply the calibration
 * (audited, with a reason).
 */
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { labelledWhatIf, type Calibration, type Costs, type Rate, type RecallOn } from '../../../shared/calibration';
import type { Thresholds } from '../../../shared/manifest';
import type { ModelRecord } from '../../../shared/models';
import { useStation } from '../api/station-context';
import { formatThreshold } from '../format';
import { ReasonDialog } from './ReasonDialog';
import { ShareSelect } from './ShareSelect';

// uPlot loads with the curves, not with the Thresholds page.
const CurveChart = lazy(() => import('./CurveChart').then((m) => ({ default: m.CurveChart })));

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
const per1000 = (r: Rate, bound: 'at most' | 'at least'): string => `${r.per1000.toFixed(1)} (${bound} ${r.boundPer1000.toFixed(1)})`;

/** The last curve point whose threshold is at or above t: the operating point of a threshold t. */
export function operatingIndex(thresholds: readonly number[], t: number): number | null {
  let found: number | null = null;
  thresholds.forEach((x, i) => {
    if (x >= t) found = i;
  });
  return found;
}

function CostTable({ proposed, current }: { proposed: Costs | null; current: Costs | null }) {
  const rows: { label: string; of: (c: Costs) => string }[] = [
    { label: 'Defects missed, per 1,000 defects', of: (c) => per1000(c.defectsMissed, 'at most') },
    { label: 'Good items rejected, per 1,000 good', of: (c) => per1000(c.goodRejected, 'at most') },
    { label: 'Items diverted, per 1,000 items', of: (c) => per1000(c.diverted, 'at most') },
  ];
  const head = (c: Costs | null, name: string): string =>
    c ? `${name}: reject ≥ ${formatThreshold(c.thresholds.reject)}, divert ≥ ${formatThreshold(c.thresholds.divert)}` : name;
  return (
    <table className="table" data-testid="calibration-costs">
      <thead>
        <tr>
          <th />
          <th>{head(proposed, 'Proposed')}</th>
          <th>{head(current, 'In force when calibrated')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.label}>
            <td>{r.label}</td>
            <td>{proposed ? r.of(proposed) : '–'}</td>
            <td>{current ? r.of(current) : '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function CalibrateForm({ onDone, onCancel }: { onDone: (c: Calibration) => void; onCancel: () => void }) {
  const { api } = useStation();
  const [data, setData] = useState('');
  // The running model, or a registered candidate to calibrate before its shadow trial (issue 16).
  const [models, setModels] = useState<ModelRecord[]>([]);
  const [modelId, setModelId] = useState<number | null>(null);
  const [candidateDone, setCandidateDone] = useState<string | null>(null);
  const [captures, setCaptures] = useState<string | null>(null);
  useEffect(() => {
    api.listModels({}).then(
      (all) => setModels(all.filter((m) => m.use.line && !m.active)),
      () => {},
    );
    api.getCaptureSummary({}).then(
      (s) => setCaptures(s.folder),
      () => {},
    );
  }, [api]);
  const [target, setTarget] = useState(0.95);
  const [confidence, setConfidence] = useState(0.95);
  const [maxFalseReject, setMaxFalseReject] = useState(0.02);
  const [recallOn, setRecallOn] = useState<RecallOn>('reject-or-divert');
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (): Promise<void> => {
    const taskId = `calibrate-${Date.now()}`;
    const off = api.on('calibrationProgress', (p) => {
      if (p.taskId === taskId) setProgress(p);
    });
    setBusy(true);
    setError(null);
    try {
      const options = { target, confidence, maxFalseReject, recallOn };
      const c = await api.calibrateModel({ data, options, split: 'auto', taskId, ...(modelId !== null ? { modelId } : {}) });
      if (modelId === null) onDone(c);
      else
        setCandidateDone(
          c.thresholds
            ? `${c.model.name} ${c.model.version}: reject ≥ ${formatThreshold(c.thresholds.reject)}, divert ≥ ${formatThreshold(c.thresholds.divert)}, stored with it — its shadow trial decides with these.`
            : `${c.model.name} ${c.model.version}: no thresholds proposed: ${c.refused}`,
        );
    } catch (e) {
      setError((e as Error).message);
    } finally {
      off();
      setBusy(false);
    }
  };

  return (
    <div className="calibrate-form" data-testid="calibrate-form">
      <div className="field-row">
        <label className="field grow">
          <span>Labelled folder on this PC (one folder per label; the model&apos;s reject label is the defects)</span>
          <input type="text" value={data} onChange={(e) => setData(e.target.value)} placeholder="/media/usb/labelled" data-testid="calibrate-folder" />
        </label>
        {captures && (
          <button type="button" className="button" onClick={() => setData(captures)} data-testid="calibrate-use-captures">
            The labelled captures
          </button>
        )}
      </div>
      <div className="field-row">
        <label className="field">
          <span>Model</span>
          <select value={modelId ?? ''} onChange={(e) => setModelId(e.target.value === '' ? null : Number(e.target.value))} data-testid="calibrate-model">
            <option value="">the running model</option>
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name} {m.version} (a candidate)
              </option>
            ))}
          </select>
        </label>
      </div>
      {candidateDone && (
        <div className="notice" role="status" data-testid="calibrate-candidate-done">
          {candidateDone}
        </div>
      )}
      <div className="field-row">
        <ShareSelect label="Defect recall to vouch for" value={target} choices={[0.9, 0.95, 0.97, 0.98, 0.99]} onChange={setTarget} testId="calibrate-target" />
        <ShareSelect label="Confidence" value={confidence} choices={[0.9, 0.95, 0.99]} onChange={setConfidence} />
        <ShareSelect label="Good items rejected, at most" value={maxFalseReject} choices={[0.005, 0.01, 0.02, 0.05, 0.1]} onChange={setMaxFalseReject} />
        <label className="field">
          <span>Recall counts</span>
          <select value={recallOn} onChange={(e) => setRecallOn(e.target.value as RecallOn)}>
            <option value="reject-or-divert">rejected or diverted</option>
            <option value="reject">rejected only</option>
          </select>
        </label>
      </div>
      {busy && progress && (
        <div
          className="progress"
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={progress.total}
          aria-valuenow={progress.done}
          data-testid="calibrate-progress"
        >
          <div className="progress-fill" style={{ width: `${(100 * progress.done) / Math.max(1, progress.total)}%` }} />
        </div>
      )}
      {error && (
        <div className="form-error" role="alert" data-testid="calibrate-error">
          {error}
        </div>
      )}
      <div className="modal-actions">
        {busy ? (
          <button type="button" className="button" onClick={() => void api.cancelCalibration({}).catch(() => {})} data-testid="calibrate-cancel">
            Cancel the calibration
          </button>
        ) : (
          <button type="button" className="button" onClick={onCancel}>
            Close
          </button>
        )}
        <button
          type="button"
          className="button button-primary"
          onClick={() => void run()}
          disabled={busy || data.trim() === ''}
          title={data.trim() === '' ? 'Name a labelled folder first.' : busy ? 'Scoring the pictures: wait for it to finish.' : undefined}
          data-testid="calibrate-run"
        >
          {busy ? `Scoring ${progress ? `${progress.done} of ${progress.total}` : '…'}` : 'Calibrate'}
        </button>
      </div>
    </div>
  );
}

export function CalibrationPanel({ proposed, onApplied, onUse }: { proposed: Thresholds; onApplied: (t: Thresholds) => void; onUse: (t: Thresholds) => void }) {
  const { api, asTechnician, status } = useStation();
  const running = `${status.model.name} ${status.model.version}`;
  const [state, setState] = useState<{ calibration: Calibration | null; source: 'station' | 'manifest' | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [calibrating, setCalibrating] = useState(false);
  const [confirming, setConfirming] = useState(false);

  const load = useCallback(() => {
    api.getCalibration({}).then(
      (got) => {
        setState(got);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  }, [api]);
  // Read again when the running model changes: a calibration vouches for one model only.
  useEffect(load, [load, running]);

  const c = state?.calibration ?? null;
  const t = c?.thresholds ?? null;
  const whatIf = c ? labelledWhatIf(c, proposed) : null;
  // The operating point is where the guarantee is: the divert threshold, or the reject one when recall counts rejects only.
  const at = t ? (c!.options.recallOn === 'reject' ? t.reject : t.divert) : null;
  const point = at === null ? null : operatingIndex(c!.curves.threshold, at);

  return (
    <section className="panel" data-testid="calibration-panel">
      <h3>Calibration on labelled pictures</h3>
      {error && <div className="form-error">{error}</div>}
      {state && !c && <p className="muted">The running model has no calibration: calibrate it on a labelled folder to set its thresholds with a guarantee.</p>}
      {c && (
        <>
          <p data-testid="calibration-summary">
            {c.model.name} {c.model.version} on {c.model.provider}, {c.nDefect} defects and {c.nGood} good pictures ({c.data.split}) of {c.data.source}, by{' '}
            {c.by} at {new Date(c.at).toLocaleString()}
            {state?.source === 'manifest' ? ' (carried in the model package)' : ''}.
          </p>
          {t ? (
            <p data-testid="calibration-guarantee">
              Proposed: <strong>reject ≥ {formatThreshold(t.reject)}</strong>, <strong>divert ≥ {formatThreshold(t.divert)}</strong>. Defects{' '}
              {c.options.recallOn === 'reject' ? 'rejected' : 'rejected or diverted'}: at least <strong>{pct(c.recallLowerBound!)}</strong>; good items
              rejected: at most <strong>{pct(c.falseRejectUpperBound!)}</strong> ({pct(c.options.confidence)} confidence, target {pct(c.options.target)}).
            </p>
          ) : (
            <div className="form-error" role="alert" data-testid="calibration-refused">
              No thresholds proposed: {c.refused}
            </div>
          )}
          {c.notes.map((n) => (
            <p key={n} className="muted small">
              {n}
            </p>
          ))}
          <CostTable proposed={c.costs} current={c.costsAtCurrent} />
          {whatIf && (
            <p data-testid="calibration-whatif">
              At the sliders (pit ≥ {proposed.pit.toFixed(2)}, maybe ≥ {proposed.maybe.toFixed(2)}), on these pictures: {whatIf.defectsMissedPer1000.toFixed(1)}{' '}
              defects missed per 1,000, {whatIf.goodRejectedPer1000.toFixed(1)} good rejected per 1,000, {whatIf.divertedPer1000.toFixed(1)} diverted per 1,000.
            </p>
          )}
          <Suspense fallback={<div className="muted">drawing the curves…</div>}>
            <div className="columns">
              <CurveChart
                title="Precision against recall (PR)"
                xLabel="recall"
                yLabel="precision"
                x={c.curves.recall}
                y={c.curves.precision}
                point={point}
                testId="curve-pr"
              />
              <CurveChart
                title="Defects found against good items flagged (ROC)"
                xLabel="good flagged"
                yLabel="defects found"
                x={c.curves.falsePositiveRate}
                y={c.curves.recall}
                point={point}
                testId="curve-roc"
              />
            </div>
          </Suspense>
        </>
      )}
      <div className="modal-actions">
        <button type="button" className="button" onClick={() => void asTechnician().then((ok) => ok && setCalibrating(true))} data-testid="calibrate-open">
          Calibrate…
        </button>
        {t && (
          <button type="button" className="button" onClick={() => onUse({ pit: t.reject, maybe: t.divert })} data-testid="calibration-use">
            Put in the sliders
          </button>
        )}
        <button
          type="button"
          className="button button-primary"
          onClick={() => void asTechnician().then((ok) => ok && setConfirming(true))}
          disabled={!t}
          title={!t ? 'There is no calibration with proposed thresholds to apply.' : undefined}
          data-testid="calibration-apply"
        >
          Apply the calibration…
        </button>
      </div>
      {calibrating && (
        <CalibrateForm
          onCancel={() => setCalibrating(false)}
          onDone={() => {
            // What is in force now, not the reply: the model may have changed while the pictures were scored.
            load();
            setCalibrating(false);
          }}
        />
      )}
      {confirming && t && (
        <ReasonDialog
          title="Apply the calibrated thresholds"
          summary={`Reject ≥ ${formatThreshold(t.reject)}, divert ≥ ${formatThreshold(t.divert)}, from the next item on; the audit trail names the calibration and its guarantee.`}
          suggestions={['Calibrated on a labelled set', 'New variety or lot', 'New model']}
          confirmLabel="Apply"
          onCancel={() => setConfirming(false)}
          onConfirm={async (reason) => {
            const applied = await api.applyCalibration({ reason, calibrationAt: c!.at });
            setConfirming(false);
            onApplied(applied);
          }}
        />
      )}
    </section>
  );
}
