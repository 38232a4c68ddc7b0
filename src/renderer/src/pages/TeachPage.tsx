/**
 * Teach a model on the station (issue 15): the technician names a labelled
 * folder on this PC (a USB stick: one subfolder of pictures per label), picks
 * the defect label and a name, and teaches. The page shows the phase, how
 * far, and the time left; Cancel stops at the next picture. At the end: the
 * figures on the pictures held out from teaching, the confusion matrix, the
 * thresholds its calibration proposed, and where the model is now (the
 * registry: activated on the Models page, never here).
 */
import { useEffect, useState } from 'react';
import { CapturesPanel } from '../components/CapturesPanel';
import type { TeachRun } from '../../../shared/teach';
import { useStation } from '../api/station-context';
import { ShareSelect } from '../components/ShareSelect';
import { formatDuration, formatThreshold } from '../format';

interface FolderLabels {
  readonly dir: string;
  readonly labels: readonly { label: string; total: number; heldOut: number }[];
}

const NAME = /^[a-z0-9][a-z0-9._-]*$/;
// A figure the run could not measure (no picture of its kind) arrives as null: a dash, never "0.0 %".
const pct = (x: number | null): string => (x === null || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)} %`);

/** The label that most likely names the defects: the one whose name says so, else none (the technician picks). */
export function guessRejectLabel(labels: readonly string[]): string | null {
  return labels.find((l) => /def|defect|bad|reject|pit|ng|fail/i.test(l)) ?? null;
}

export function TeachPage() {
  const { api, asTechnician } = useStation();
  const [data, setData] = useState('');
  const [folder, setFolder] = useState<FolderLabels | null>(null);
  const [folderError, setFolderError] = useState<string | null>(null);
  const [rejectLabel, setRejectLabel] = useState<string | null>(null);
  const [name, setName] = useState('taught');
  const [target, setTarget] = useState(0.95);
  const [run, setRun] = useState<TeachRun | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.getTeachRun({}).then(setRun, () => {});
    return api.on('teachProgress', setRun);
  }, [api]);

  const look = async (): Promise<void> => {
    setFolderError(null);
    if (!(await asTechnician())) return;
    try {
      const found = await api.inspectLabelledFolder({ data });
      setFolder(found);
      setRejectLabel(guessRejectLabel(found.labels.map((l) => l.label)));
    } catch (e) {
      setFolder(null);
      setFolderError((e as Error).message);
    }
  };

  const running = run?.state === 'running';
  const why =
    folder === null
      ? 'Look at a labelled folder first.'
      : rejectLabel === null
        ? 'Pick the label of the defects.'
        : !NAME.test(name)
          ? 'The name takes lower-case letters, digits, ".", "_" and "-" only.'
          : running
            ? 'A teaching run is going on: wait for it or cancel it.'
            : null;

  const teach = async (): Promise<void> => {
    setError(null);
    if (!folder || !rejectLabel || !(await asTechnician())) return;
    try {
      setRun(
        await api.startTeaching({
          data: folder.dir,
          rejectLabel,
          name,
          calibration: { target, confidence: 0.95, maxFalseReject: 0.02, recallOn: 'reject-or-divert' },
        }),
      );
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const cancel = async (): Promise<void> => {
    if (!run || !(await asTechnician())) return;
    try {
      setRun(await api.cancelTeaching({ runId: run.runId }));
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const progress = run?.progress;
  return (
    <main className="page" data-testid="page-teach">
      <section className="panel">
        <h2>Teach a model</h2>
        <p className="muted">
          From labelled pictures of your own product: one folder per label (for example <code>good/</code> and <code>defect/</code>), on a USB stick or this PC.
          A fifth of the pictures is held out to check the model; its thresholds are then calibrated on them. The model goes to the registry: activate it on the
          Models page.
        </p>
        <div className="field-row">
          <label className="field grow">
            <span>Labelled folder on this PC</span>
            <input
              type="text"
              value={data}
              onChange={(e) => {
                // What is taught is what was looked at: a new path must be looked at again.
                setData(e.target.value);
                setFolder(null);
              }}
              placeholder="/media/usb/castings"
              data-testid="teach-folder"
            />
          </label>
          <button type="button" className="button" onClick={() => void look()} disabled={data.trim() === ''} data-testid="teach-look">
            Look
          </button>
        </div>
        {folderError && (
          <div className="form-error" role="alert" data-testid="teach-folder-error">
            {folderError}
          </div>
        )}
        {folder && (
          <>
            <table className="table" data-testid="teach-labels">
              <thead>
                <tr>
                  <th>Label</th>
                  <th>Pictures</th>
                  <th>Held out</th>
                  <th>Defects?</th>
                </tr>
              </thead>
              <tbody>
                {folder.labels.map((l) => (
                  <tr key={l.label}>
                    <td>{l.label}</td>
                    <td>{l.total}</td>
                    <td>{l.heldOut}</td>
                    <td>
                      <label>
                        <input
                          type="radio"
                          name="reject-label"
                          checked={rejectLabel === l.label}
                          onChange={() => setRejectLabel(l.label)}
                          data-testid={`reject-${l.label}`}
                        />{' '}
                        the defects
                      </label>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="field-row">
              <label className="field">
                <span>Model name</span>
                <input type="text" value={name} onChange={(e) => setName(e.target.value.trim())} data-testid="teach-name" />
              </label>
              <ShareSelect
                label="Defect recall to vouch for"
                value={target}
                choices={[0.9, 0.95, 0.97, 0.98, 0.99]}
                onChange={setTarget}
                testId="teach-target"
              />
            </div>
          </>
        )}
        <div className="modal-actions">
          <button
            type="button"
            className="button button-primary"
            onClick={() => void teach()}
            disabled={why !== null}
            title={why ?? undefined}
            data-testid="teach-start"
          >
            Teach
          </button>
          {running && (
            <button type="button" className="button" onClick={() => void cancel()} data-testid="teach-cancel">
              Cancel
            </button>
          )}
        </div>
        {why && <p className="disabled-reason">{why}</p>}
        {error && (
          <div className="form-error" role="alert">
            {error}
          </div>
        )}
      </section>
      {run && (
        <section className="panel" data-testid="teach-run" data-state={run.state}>
          <h3>
            {run.request.name} {run.version} — {run.state === 'running' ? 'teaching' : run.state}
          </h3>
          {progress && run.state === 'running' && (
            <>
              <div className="muted" data-testid="teach-phase">
                {progress.message}
              </div>
              <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={progress.total} aria-valuenow={progress.done}>
                <div className="progress-fill" style={{ width: `${progress.total > 0 ? (100 * progress.done) / progress.total : 0}%` }} />
              </div>
              <div className="muted small" data-testid="teach-time">
                {formatDuration(progress.elapsedMs)} so far{progress.remainingMs !== null ? `, about ${formatDuration(progress.remainingMs)} left` : ''}
              </div>
            </>
          )}
          {run.state === 'failed' && (
            <div className="form-error" role="alert" data-testid="teach-error">
              {run.error}
            </div>
          )}
          {run.state === 'cancelled' && <p className="muted">Cancelled: nothing was added to the registry.</p>}
          {run.heldOut && (
            <div data-testid="teach-result">
              <p>
                On the {run.heldOut.n} pictures held out: accuracy <strong data-testid="teach-accuracy">{pct(run.heldOut.accuracy)}</strong>, defects found{' '}
                {pct(run.heldOut.rejectRecall)}, good items called defects {pct(run.heldOut.falseRejectRate)} (by the label the model scores highest; the
                calibrated thresholds below are what the line will use).
              </p>
              <table className="table confusion" data-testid="teach-confusion">
                <thead>
                  <tr>
                    <th>Picture is ↓ / model says →</th>
                    {run.heldOut.labels.map((l) => (
                      <th key={l}>{l}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {run.heldOut.confusion.map((row, i) => (
                    <tr key={run.heldOut!.labels[i]}>
                      <th>{run.heldOut!.labels[i]}</th>
                      {row.map((v, j) => (
                        <td key={j} className={i === j ? 'confusion-right' : v > 0 ? 'confusion-wrong' : ''}>
                          {v}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
              {run.calibrated ? (
                <p data-testid="teach-calibrated">
                  Calibrated on {run.calibrated.nDefect} defects and {run.calibrated.nGood} good pictures: reject ≥ {formatThreshold(run.calibrated.reject)},
                  divert ≥ {formatThreshold(run.calibrated.divert)}; defect recall at least {pct(run.calibrated.recallLowerBound)}, good items rejected at most{' '}
                  {pct(run.calibrated.falseRejectUpperBound)} (95 % confidence).
                </p>
              ) : (
                <p className="muted">Not calibrated: see the notes.</p>
              )}
            </div>
          )}
          {run.notes.map((n) => (
            <p key={n} className="muted small">
              {n}
            </p>
          ))}
          {run.state === 'done' && (
            <div className="notice" role="status" data-testid="teach-done">
              {run.request.name} {run.version} is in the registry (not active): <a href="#models">activate it on the Models page</a>.
            </div>
          )}
        </section>
      )}
      <CapturesPanel
        onUse={(f) => {
          setData(f);
          setFolder(null);
        }}
      />
    </main>
  );
}
