/**
 * Make an INT8 variant of a registered image model (issue 18), for a
 * technician on the Models page: a folder of pictures of the line (the
 * labelled captures suggested), how the ranges are measured, progress as the
 * station measures them in the background, and what came of it — the
 * variant in the registry, which runs in INT8 and which stays in float. It
 * goes live only once calibrated: the result says so, and where.
 */
import { useEffect, useState } from 'react';
import type { ModelRecord } from '../../../shared/models';
import {
  DEFAULT_MAX_FRAMES,
  DEFAULT_PERCENTILE,
  QUANTIZE_STAGES,
  type QuantizeMethod,
  type QuantizeProgress,
  type QuantizeResult,
  type QuantizeStage,
} from '../../../shared/quantize';
import { useStation } from '../api/station-context';
import { Modal } from './Modal';

const METHOD_WORDS: Record<QuantizeMethod, string> = {
  percentile: `Percentile ${DEFAULT_PERCENTILE} (recommended: an outlier does not widen the ranges)`,
  minmax: 'MinMax (every value measured, outliers included)',
  mse: 'Least squared error (ranges that lose the least)',
};

const STAGE_WORDS: Record<QuantizeStage, string> = {
  reading: 'Reading the pictures',
  measuring: 'Measuring activation ranges',
  writing: 'Writing the INT8 model',
  importing: 'Adding it to the registry (checks, trial load)',
};

const WAITING = 'The station is making the variant: wait for it, or cancel it.';

/** What the quantiser did, in words a technician reads. */
export function resultWords(r: QuantizeResult): string {
  const { report } = r;
  const passed = report.passedOver > 0 ? ` (${report.passedOver} picture(s) passed over: unreadable, too large or outside the import folders)` : '';
  return (
    `${r.model.name} ${r.model.version} is in the registry, not active: ${report.quantizedNodes} nodes run in INT8, ${report.floatNodes.length} stay in float; ` +
    `ranges by ${report.method} on ${report.frames} frames of ${report.folder}${passed}.`
  );
}

export function QuantizeDialog({ model, onClose, onMade }: { model: ModelRecord; onClose: () => void; onMade: (result: QuantizeResult) => void }) {
  const { api } = useStation();
  const [frames, setFrames] = useState('');
  const [captures, setCaptures] = useState<string | null>(null);
  const [method, setMethod] = useState<QuantizeMethod>('percentile');
  const [maxFrames, setMaxFrames] = useState(DEFAULT_MAX_FRAMES);
  const [progress, setProgress] = useState<QuantizeProgress | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<QuantizeResult | null>(null);

  useEffect(() => {
    api.getCaptureSummary({}).then(
      (s) => setCaptures(s.folder),
      () => {},
    );
  }, [api]);

  const start = async (): Promise<void> => {
    const taskId = `quantize-${Date.now().toString(36)}`;
    const off = api.on('quantizeProgress', (p) => {
      if (p.taskId === taskId) setProgress(p);
    });
    setBusy(true);
    setError(null);
    setResult(null);
    setProgress(null);
    try {
      const made = await api.quantizeModel({ modelId: model.id, frames: frames.trim(), method, maxFrames, taskId });
      setResult(made);
      onMade(made);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      off();
      setBusy(false);
    }
  };

  const startWhy = busy ? WAITING : frames.trim() === '' ? 'Name a folder of pictures of the line first.' : null;
  const stage = progress ? QUANTIZE_STAGES.indexOf(progress.stage) : -1;
  return (
    <Modal title={`Make an INT8 variant of ${model.name} ${model.version}`} onClose={busy ? () => {} : onClose} wide testId="quantize-dialog">
      <p className="muted">
        The model runs in 8-bit integers: smaller and faster on the CPU. Its activation ranges are measured on pictures of the line, good and defective alike,
        in the background at low priority — the line keeps deciding. The variant is added to the registry, not activated: it can go live only once it is
        calibrated on a labelled set (Thresholds page), and then only through the parity gate.
      </p>
      <div className="field-row">
        <label className="field grow">
          <span>Folder of pictures of the line on this PC (under an import folder, or the labelled captures)</span>
          <input
            type="text"
            value={frames}
            onChange={(e) => setFrames(e.target.value)}
            placeholder="/media/usb/line-pictures"
            disabled={busy}
            data-testid="quantize-folder"
          />
        </label>
        {captures && (
          <button type="button" className="button" onClick={() => setFrames(captures)} disabled={busy} data-testid="quantize-use-captures">
            The labelled captures
          </button>
        )}
      </div>
      <div className="field-row">
        <label className="field grow">
          <span>Ranges</span>
          <select value={method} onChange={(e) => setMethod(e.target.value as QuantizeMethod)} disabled={busy} data-testid="quantize-method">
            {(Object.keys(METHOD_WORDS) as QuantizeMethod[]).map((m) => (
              <option key={m} value={m}>
                {METHOD_WORDS[m]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Pictures, at most</span>
          <input
            type="number"
            min={1}
            max={100_000}
            value={maxFrames}
            onChange={(e) => setMaxFrames(Math.max(1, Math.min(100_000, Math.round(Number(e.target.value)) || 1)))}
            disabled={busy}
            data-testid="quantize-max-frames"
          />
        </label>
      </div>

      {busy && progress && (
        <div data-testid="quantize-progress-box">
          <ol className="steps">
            {QUANTIZE_STAGES.map((s, i) => {
              const state = i < stage ? 'done' : i === stage ? 'running' : 'waiting';
              return (
                <li key={s} className={`step step-${state}`} data-testid={`quantize-stage-${s}`} data-state={state}>
                  <span className="step-mark" aria-hidden="true">
                    {state === 'done' ? '✓' : state === 'running' ? '…' : '·'}
                  </span>
                  {STAGE_WORDS[s]}
                </li>
              );
            })}
          </ol>
          {progress.total > 0 && (
            <div
              className="progress"
              role="progressbar"
              aria-valuemin={0}
              aria-valuemax={progress.total}
              aria-valuenow={progress.done}
              aria-label={STAGE_WORDS[progress.stage]}
              data-testid="quantize-progress"
            >
              <div className="progress-fill" style={{ width: `${(100 * progress.done) / Math.max(1, progress.total)}%` }} />
            </div>
          )}
          <div className="muted small" data-testid="quantize-progress-words">
            {progress.message}
          </div>
        </div>
      )}

      {error && (
        <div className="form-error" role="alert" data-testid="quantize-error">
          The variant was not made: {error}
        </div>
      )}
      {result && (
        <div className="notice" role="status" data-testid="quantize-result">
          <p>{resultWords(result)}</p>
          {result.report.floatNodes.length > 0 && <p className="small muted">Left in float: {result.report.floatNodes.join(', ')}.</p>}
          {result.model.quantized?.blocked && <p data-testid="quantize-next">{result.model.quantized.blocked}.</p>}
        </div>
      )}

      <div className="modal-actions">
        {busy ? (
          <button type="button" className="button" onClick={() => void api.cancelQuantization({}).catch(() => {})} data-testid="quantize-cancel">
            Cancel
          </button>
        ) : (
          <button type="button" className="button" onClick={onClose} data-testid="quantize-close">
            Close
          </button>
        )}
        <button
          type="button"
          className="button button-primary"
          onClick={() => void start()}
          disabled={startWhy !== null}
          title={startWhy ?? undefined}
          data-testid="quantize-start"
        >
          {busy ? 'Making the variant…' : 'Make the INT8 variant'}
        </button>
      </div>
      {startWhy && !busy && <p className="disabled-reason">{startWhy}</p>}
    </Modal>
  );
}
