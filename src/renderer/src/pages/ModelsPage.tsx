/**
 * The model registry: what is installed, where it came from and who put it
 * there; import from a USB stick or a path with each step shown as it runs
 * and every problem listed; activate a model or roll back (technician only,
 * with a reason, audited). The line keeps running through all of it.
 */
import { useCallback, useEffect, useState } from 'react';
import { IMPORT_STEPS, type ImportCandidates, type ImportProgress, type ModelActivation, type ModelRecord } from '../../../shared/models';
import { useStation } from '../api/station-context';
import { ReasonDialog } from '../components/ReasonDialog';
import { formatTime } from '../format';

const STEP_WORDS: Record<(typeof IMPORT_STEPS)[number], string> = {
  read: 'Read the package',
  compare: 'Compare with the registry',
  'trial-load': 'Check, repair and trial-load',
  store: 'Store in the registry',
};

interface ImportRun {
  readonly taskId: string;
  readonly source: string;
  readonly steps: Partial<Record<(typeof IMPORT_STEPS)[number], ImportProgress>>;
  readonly result: { ok: true; message: string } | { ok: false; problems: string[] } | null;
}

type Pending = { kind: 'activate'; model: ModelRecord } | { kind: 'rollback' };

/** A step's state from the latest announcement: the steps before it are done. */
export function stepState(run: Pick<ImportRun, 'steps'>, step: (typeof IMPORT_STEPS)[number]): ImportProgress['state'] | 'waiting' {
  const latest = Object.values(run.steps).reduce<ImportProgress | null>((a, p) => (p && (!a || p.index >= a.index) ? p : a), null);
  if (!latest) return 'waiting';
  const index = IMPORT_STEPS.indexOf(step);
  if (index < latest.index) return 'done';
  return index === latest.index ? latest.state : 'waiting';
}

/** The engine joins a failed import's problems with "; " after the operation's name. */
export function importProblems(message: string): string[] {
  return message
    .replace(/^importModel failed: /, '')
    .split('; ')
    .map((p) => p.trim())
    .filter(Boolean);
}

export function ModelsPage() {
  const { api, status, asTechnician } = useStation();
  const [models, setModels] = useState<ModelRecord[]>([]);
  const [history, setHistory] = useState<ModelActivation[]>([]);
  const [candidates, setCandidates] = useState<ImportCandidates | null>(null);
  const [path, setPath] = useState('');
  const [run, setRun] = useState<ImportRun | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const load = useCallback(() => {
    api.listModels({}).then(setModels, () => {});
    api.getModelHistory({ limit: 20 }).then(setHistory, () => {});
    api.listImportCandidates({}).then(setCandidates, () => {});
  }, [api]);
  useEffect(load, [load]);
  // A swap finishes between two frames: the registry's active mark follows the status.
  useEffect(load, [load, status.model.registryId, status.model.version]);

  useEffect(() => api.on('importProgress', (p) => setRun((r) => (r && r.taskId === p.taskId ? { ...r, steps: { ...r.steps, [p.step]: p } } : r))), [api]);

  const startImport = async (source: string): Promise<void> => {
    if (!source.trim() || !(await asTechnician())) return;
    const taskId = `import-${Date.now().toString(36)}`;
    setRun({ taskId, source, steps: {}, result: null });
    try {
      const report = await api.importModel({ source: source.trim(), taskId });
      const what = `${report.model.name} ${report.model.version}`;
      setRun(
        (r) =>
          r && {
            ...r,
            result: {
              ok: true,
              message: report.alreadyImported
                ? `${what} was already in the registry.`
                : `${what} imported (trial load on ${report.provider}). Activate it below.`,
            },
          },
      );
    } catch (err) {
      setRun((r) => r && { ...r, result: { ok: false, problems: importProblems((err as Error).message) } });
    }
    load();
  };

  const ask = async (p: Pending): Promise<void> => {
    setMessage(null);
    if (await asTechnician()) setPending(p);
  };

  // As the registry reckons it: the newest activation of another model than the newest one.
  const previous = history.find((h) => h.modelId !== history[0]?.modelId);
  return (
    <main className="page" data-testid="page-models">
      <section className="panel">
        <h2>Running now</h2>
        <p className="big" data-testid="active-model">
          {status.model.name} {status.model.version} <span className="muted">on {status.model.provider.toUpperCase()}</span>
          {status.model.state !== 'ready' && <span className="badge badge-warn"> {status.model.state}</span>}
        </p>
        {status.model.registryId === null && <p className="muted">Run from its folder (the configured model); import models to keep versions and roll back.</p>}
        <div className="modal-actions">
          <button
            type="button"
            className="button"
            onClick={() => void ask({ kind: 'rollback' })}
            disabled={!previous || status.model.state !== 'ready'}
            data-testid="rollback"
          >
            Roll back{previous ? ` to ${previous.name} ${previous.version}` : ''}…
          </button>
        </div>
        {message && (
          <div className="notice" role="status" data-testid="models-message">
            {message}
          </div>
        )}
      </section>

      <section className="panel">
        <h3>Registry</h3>
        <table className="table" data-testid="registry">
          <thead>
            <tr>
              <th>model</th>
              <th>sha256</th>
              <th>imported</th>
              <th>by</th>
              <th>repairs</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {models.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  No model imported yet.
                </td>
              </tr>
            )}
            {models.map((m) => (
              <tr key={m.id} className={m.active ? 'row-active' : ''} data-testid={`model-${m.name}-${m.version}`}>
                <td>
                  {m.name} {m.version} {m.active && <span className="badge">active</span>}
                  <div className="muted small">{m.task}</div>
                </td>
                <td className="mono" title={m.sha256}>
                  {m.sha256.slice(0, 12)}…
                </td>
                <td>{formatTime(m.importedAt)}</td>
                <td>{m.importedBy}</td>
                <td className="small">{m.notes.join('; ') || '–'}</td>
                <td>
                  {!m.active && m.task === 'image-classification' && (
                    <button
                      type="button"
                      className="button"
                      onClick={() => void ask({ kind: 'activate', model: m })}
                      disabled={status.model.state !== 'ready'}
                      data-testid={`activate-${m.name}-${m.version}`}
                    >
                      Activate…
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="panel" data-testid="import-panel">
        <h3>Import a model</h3>
        {candidates && (
          <>
            <p className="muted small">Found in {candidates.roots.join(', ') || 'no import folder (none is mounted)'}:</p>
            <table className="table">
              <tbody>
                {candidates.candidates.map((c) => (
                  <tr key={c.path} data-testid={`candidate-${c.name}-${c.version}`}>
                    <td>
                      {c.name} {c.version} <span className="muted small">({c.task})</span>
                    </td>
                    <td className="mono small">{c.path}</td>
                    <td>
                      {c.inRegistry ? (
                        <span className="muted">in the registry</span>
                      ) : (
                        <button type="button" className="button" onClick={() => void startImport(c.path)} disabled={run !== null && run.result === null}>
                          Import…
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
                {candidates.unreadable.map((u) => (
                  <tr key={u.path} className="row-problem">
                    <td colSpan={3}>
                      {u.path}: {u.problem}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
        <div className="field-row">
          <label className="field grow">
            <span>Package folder or manifest.json on this PC</span>
            <input
              type="text"
              value={path}
              onChange={(e) => setPath(e.target.value)}
              placeholder="/media/usb/models/demo-cherry-1.1.0"
              data-testid="import-path"
            />
          </label>
          <button
            type="button"
            className="button button-primary"
            onClick={() => void startImport(path)}
            disabled={!path.trim() || (run !== null && run.result === null)}
            data-testid="import-start"
          >
            Import…
          </button>
          <button type="button" className="button" onClick={load}>
            Look again
          </button>
        </div>
        {run && (
          <div className="import-run" data-testid="import-run">
            <div className="muted small">{run.source}</div>
            <ol className="steps">
              {IMPORT_STEPS.map((s) => {
                const p = run.steps[s];
                const state = stepState(run, s);
                return (
                  <li key={s} className={`step step-${state}`} data-testid={`step-${s}`} data-state={state}>
                    <span className="step-mark" aria-hidden="true">
                      {state === 'done' ? '✓' : state === 'failed' ? '✕' : state === 'running' ? '…' : '·'}
                    </span>
                    {STEP_WORDS[s]}
                    {p && <span className="muted small"> {p.message}</span>}
                  </li>
                );
              })}
            </ol>
            {run.result?.ok === true && (
              <div className="notice" data-testid="import-ok">
                {run.result.message}
              </div>
            )}
            {run.result?.ok === false && (
              <div className="form-error" role="alert" data-testid="import-problems">
                The model was not imported:
                <ul>
                  {run.result.problems.map((p) => (
                    <li key={p}>{p}</li>
                  ))}
                </ul>
              </div>
            )}
          </div>
        )}
      </section>

      <section className="panel">
        <h3>Activations</h3>
        <table className="table" data-testid="model-history">
          <tbody>
            {history.map((h) => (
              <tr key={h.seq}>
                <td>{formatTime(h.at)}</td>
                <td>{h.action}</td>
                <td>
                  {h.name} {h.version}
                </td>
                <td>{h.actor}</td>
                <td>{h.reason ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      {pending && (
        <ReasonDialog
          title={pending.kind === 'activate' ? `Activate ${pending.model.name} ${pending.model.version}` : 'Roll back'}
          summary={
            pending.kind === 'activate'
              ? `The line switches to ${pending.model.name} ${pending.model.version} between two items, once it is loaded and warm.`
              : `The line goes back to ${previous ? `${previous.name} ${previous.version}` : 'the model before this one'}.`
          }
          suggestions={['New model validated', 'Model misbehaving', 'Trial', 'Back to the known good model']}
          confirmLabel={pending.kind === 'activate' ? 'Activate' : 'Roll back'}
          onCancel={() => setPending(null)}
          onConfirm={async (reason) => {
            const m = pending.kind === 'activate' ? await api.activateModel({ id: pending.model.id, reason }) : await api.rollbackModel({ reason });
            setPending(null);
            setMessage(`${m.name} ${m.version} is active.`);
            load();
          }}
        />
      )}
    </main>
  );
}
