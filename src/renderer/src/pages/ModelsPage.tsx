/**
 * The model registry: what is installed, where it came from and who put it
 * there; import from a USB stick or a path with each step shown as it runs
 * and every problem listed; activate a model or roll back (technician only,
 * with a reason, audited). The line keeps running through all of it.
 *
 * Every package says what it can be used for (can drive the line, or why
 * not), and every control that cannot be used says why, in words beside it
 * (issue 12: a greyed "Roll back" with no explanation, an "Activate it below"
 * for a model that could never go live).
 *
 * A technician makes an INT8 variant of an image model here (issue 18); a
 * variant says it is INT8, and that it needs calibration before it can go
 * live until it has been calibrated on a labelled set.
 */
import { useCallback, useEffect, useState } from 'react';
import { IMPORT_STEPS, type ImportCandidate, type ImportCandidates, type ImportProgress, type ModelActivation, type ModelRecord } from '../../../shared/models';
import { useStation } from '../api/station-context';
import { ReasonDialog } from '../components/ReasonDialog';
import { ShadowTrialPanel } from '../components/ShadowTrialPanel';
import { QuantizeDialog } from '../components/QuantizeDialog';
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
  /** line: the imported model can drive the line (else its message says why it cannot be activated). */
  readonly result: { ok: true; line: boolean; message: string } | { ok: false; problems: string[] } | null;
}

type Pending = { kind: 'activate'; model: ModelRecord } | { kind: 'rollback'; to: ModelRecord };

/** A step's state from the latest announcement: the steps before it are done. */
export function stepState(run: Pick<ImportRun, 'steps'>, step: (typeof IMPORT_STEPS)[number]): ImportProgress['state'] | 'waiting' {
  const latest = Object.values(run.steps).reduce<ImportProgress | null>((a, p) => (p && (!a || p.index >= a.index) ? p : a), null);
  if (!latest) return 'waiting';
  const index = IMPORT_STEPS.indexOf(step);
  if (index < latest.index) return 'done';
  return index === latest.index ? latest.state : 'waiting';
}

/** The engine joins a failed import's problems with "; ". */
export function importProblems(message: string): string[] {
  return message
    .split('; ')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** Why the roll-back button cannot be used now, or null when it can. */
export function rollbackBlocked(target: ModelRecord | undefined, state: string, registered: boolean): string | null {
  if (state !== 'ready') return 'A model is being loaded: wait until it is active.';
  if (target) return null;
  if (!registered) return 'Nothing to roll back to: the model running now is not in the registry (the event log on Diagnostics says why).';
  return 'Nothing to roll back to: no other model has run on this station yet. Activating another one makes this one the way back.';
}

/** Why a registered model cannot be activated now, or null when it can. */
export function activateBlocked(model: ModelRecord, state: string): string | null {
  if (!model.use.line) return `It ${model.use.words}.`;
  // The engine's own words: the same rule refuses the activation (shared/models.ts variantCertification).
  if (model.quantized?.blocked) return `${model.quantized.blocked}.`;
  if (state !== 'ready') return 'A model is being loaded: wait until it is active.';
  return null;
}

const short = (sha: string): string => `${sha.slice(0, 12)}…`;

/** The model file's hash as shipped (the manifest's) and as the station stores it after repairs: both, labelled. */
function Hashes({ model }: { model: ModelRecord }) {
  if (model.sha256 === model.sourceSha256) {
    return (
      <span className="mono small" title={model.sha256}>
        {short(model.sha256)}
        <br />
        <span className="muted">as shipped, stored unchanged</span>
      </span>
    );
  }
  return (
    <span className="mono small">
      <span title={model.sourceSha256}>{short(model.sourceSha256)}</span>
      <br />
      <span className="muted">as shipped</span>
      <br />
      <span title={model.sha256}>{short(model.sha256)}</span>
      <br />
      <span className="muted">as stored, after repairs</span>
    </span>
  );
}

/** A package's use in words, marked when it cannot drive the line. */
function UseNote({ use, testId }: { use: ModelRecord['use']; testId?: string }) {
  return (
    <div className={`small ${use.line ? 'muted' : 'use-warn'}`} data-testid={testId}>
      {use.line ? '' : '⚠ '}
      {use.words.charAt(0).toUpperCase() + use.words.slice(1)}
    </div>
  );
}

/** An INT8 variant: what it was made from, and whether it may go live yet (calibrated on this station). */
function VariantNote({ model }: { model: ModelRecord }) {
  const q = model.quantized;
  if (!q) return null;
  const testId = `variant-${model.name}-${model.version}`;
  return (
    <div className={`small ${q.certified ? 'muted' : 'use-warn'}`} data-testid={testId} data-certified={q.certified !== null}>
      INT8 variant of {q.from.name} {q.from.version} ({q.method}).{' '}
      {q.certified
        ? `Calibrated ${formatTime(q.certified.at)} by ${q.certified.by}: it may go live, through the parity gate.`
        : '⚠ Needs calibration before it can go live: calibrate it on a labelled set (Thresholds page, Calibrate, with this model chosen).'}
    </div>
  );
}

/** An INT8 variant is offered of an image model that is not one already (the station refuses any other reduced-precision model in words). */
export function canMakeVariant(model: ModelRecord): boolean {
  return model.task === 'image-classification' && model.quantized === null;
}

/** A package found under the import folders, compared with the registry by its hash. */
function CandidateAction({ candidate, busy, onImport }: { candidate: ImportCandidate; busy: boolean; onImport: () => void }) {
  if (candidate.registry === 'same') return <span className="muted">in the registry</span>;
  if (candidate.registry === 'different') {
    const why = 'A different file with the same name and version is in the registry: give this package a version of its own to import it.';
    return (
      <>
        <button type="button" className="button" disabled title={why}>
          Import…
        </button>
        <div className="disabled-reason" data-testid="candidate-different">
          {why}
        </div>
      </>
    );
  }
  return (
    <>
      <button type="button" className="button" onClick={onImport} disabled={busy} title={busy ? 'An import is running: wait for it to finish.' : undefined}>
        Import…
      </button>
      {busy && <div className="disabled-reason">An import is running: wait for it to finish.</div>}
    </>
  );
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
  const [quantizing, setQuantizing] = useState<ModelRecord | null>(null);

  const load = useCallback(() => {
    api.listModels({}).then(setModels, () => {});
    api.getModelHistory({ limit: 20 }).then(setHistory, () => {});
    api.listImportCandidates({}).then(setCandidates, () => {});
  }, [api]);
  useEffect(load, [load]);
  // A swap finishes between two frames: the registry's active mark follows the status.
  useEffect(load, [load, status.model.registryId, status.model.version]);

  useEffect(() => api.on('importProgress', (p) => setRun((r) => (r && r.taskId === p.taskId ? { ...r, steps: { ...r.steps, [p.step]: p } } : r))), [api]);

  const importing = run !== null && run.result === null;
  const startImport = async (source: string): Promise<void> => {
    if (!source.trim() || !(await asTechnician())) return;
    const taskId = `import-${Date.now().toString(36)}`;
    setRun({ taskId, source, steps: {}, result: null });
    try {
      const report = await api.importModel({ source: source.trim(), taskId });
      const what = `${report.model.name} ${report.model.version}`;
      const { use } = report.model;
      const next = use.line ? 'Activate it below.' : `It ${use.words}, so it cannot be activated.`;
      setRun(
        (r) =>
          r && {
            ...r,
            result: {
              ok: true,
              line: use.line,
              message: report.alreadyImported ? `${what} was already in the registry. ${next}` : `${what} imported (trial load on ${report.provider}). ${next}`,
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

  // The engine says where a rollback goes (the configured model before the first activation included).
  const target = models.find((m) => m.rollbackTarget);
  const running = models.find((m) => m.id === status.model.registryId);
  const rollbackWhy = rollbackBlocked(target, status.model.state, status.model.registryId !== null);
  const pathWhy = importing ? 'An import is running: wait for it to finish.' : !path.trim() ? 'Type a package folder or manifest.json path first.' : null;
  return (
    <main className="page" data-testid="page-models">
      <section className="panel">
        <h2>Running now</h2>
        <p className="big" data-testid="active-model">
          {status.model.name} {status.model.version} <span className="muted">on {status.model.provider.toUpperCase()}</span>
          {status.model.state !== 'ready' && <span className="badge badge-warn"> {status.model.state}</span>}
        </p>
        {running?.configured && (
          <p className="muted" data-testid="running-configured">
            The configured model (model.dir in the config), run in place from {running.source}
          </p>
        )}
        {status.model.registryId === null && (
          <p className="muted" data-testid="running-unregistered">
            Run from its folder and not in the registry (the event log on Diagnostics says why): a rollback cannot return to it.
          </p>
        )}
        <div className="modal-actions">
          <button
            type="button"
            className="button"
            onClick={() => {
              if (target) void ask({ kind: 'rollback', to: target });
            }}
            disabled={rollbackWhy !== null}
            title={rollbackWhy ?? undefined}
            data-testid="rollback"
          >
            Roll back{target ? ` to ${target.name} ${target.version}${target.configured ? ' (the configured model)' : ''}` : ''}…
          </button>
        </div>
        {rollbackWhy && (
          <p className="disabled-reason" data-testid="rollback-why">
            {rollbackWhy}
          </p>
        )}
        {message && (
          <div className="notice" role="status" data-testid="models-message">
            {message}
          </div>
        )}
      </section>

      <section className="panel">
        <h3>Registry</h3>
        <table className="table registry-table" data-testid="registry">
          <thead>
            <tr>
              <th>model</th>
              <th>sha256 of the model file</th>
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
            {models.map((m) => {
              const why = activateBlocked(m, status.model.state);
              return (
                <tr key={m.id} className={m.active ? 'row-active' : ''} data-testid={`model-${m.name}-${m.version}`}>
                  <td>
                    {m.name} {m.version} {m.active && <span className="badge">active</span>} {m.configured && <span className="badge">configured</span>}{' '}
                    {m.quantized && <span className={`badge ${m.quantized.certified ? '' : 'badge-warn'}`}>INT8</span>}
                    <div className="muted small">{m.task}</div>
                    <UseNote use={m.use} testId={`use-${m.name}-${m.version}`} />
                    <VariantNote model={m} />
                    {m.parity && (
                      <div className={`small ${m.parity.passed ? 'muted' : 'form-error'}`} data-testid={`parity-${m.name}-${m.version}`}>
                        {m.parity.passed ? 'Parity passed' : 'Parity failed'} ({formatTime(m.parity.at)}): {m.parity.message}
                      </div>
                    )}
                  </td>
                  <td>
                    <Hashes model={m} />
                  </td>
                  <td>{formatTime(m.importedAt)}</td>
                  <td>{m.importedBy}</td>
                  <td className="small">{m.notes.join('; ') || '–'}</td>
                  <td>
                    {!m.active && (
                      <>
                        <button
                          type="button"
                          className="button"
                          onClick={() => void ask({ kind: 'activate', model: m })}
                          disabled={why !== null}
                          title={why ?? undefined}
                          data-testid={`activate-${m.name}-${m.version}`}
                        >
                          Activate…
                        </button>
                        {why && (
                          <div className="disabled-reason" data-testid={`activate-why-${m.name}-${m.version}`}>
                            {why}
                          </div>
                        )}
                      </>
                    )}
                    {canMakeVariant(m) && (
                      <button
                        type="button"
                        className="button"
                        onClick={() => void asTechnician().then((ok) => ok && setQuantizing(m))}
                        data-testid={`quantize-${m.name}-${m.version}`}
                      >
                        Make an INT8 variant…
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
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
                      <UseNote use={c.use} testId={`candidate-use-${c.name}-${c.version}`} />
                    </td>
                    <td className="mono small">{c.path}</td>
                    <td>
                      <CandidateAction candidate={c} busy={importing} onImport={() => void startImport(c.path)} />
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
            disabled={pathWhy !== null}
            title={pathWhy ?? undefined}
            data-testid="import-start"
          >
            Import…
          </button>
          <button type="button" className="button" onClick={load}>
            Look again
          </button>
        </div>
        {importing && <p className="disabled-reason">An import is running: wait for it to finish.</p>}
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
              <div className={`notice ${run.result.line ? '' : 'notice-warn'}`} data-testid="import-ok" data-line={run.result.line}>
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

      <ShadowTrialPanel models={models} onChanged={load} />

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

      {quantizing && <QuantizeDialog model={quantizing} onClose={() => setQuantizing(null)} onMade={load} />}

      {pending && (
        <ReasonDialog
          title={pending.kind === 'activate' ? `Activate ${pending.model.name} ${pending.model.version}` : 'Roll back'}
          summary={
            pending.kind === 'activate'
              ? `The line switches to ${pending.model.name} ${pending.model.version} between two items, once it is loaded and warm.`
              : `The line goes back to ${pending.to.name} ${pending.to.version}${pending.to.configured ? ', the configured model' : ''}.`
          }
          suggestions={['New model validated', 'Model misbehaving', 'Trial', 'Back to the known good model']}
          confirmLabel={pending.kind === 'activate' ? 'Activate' : 'Roll back'}
          onCancel={() => setPending(null)}
          onConfirm={async (reason) => {
            const m = pending.kind === 'activate' ? await api.activateModel({ id: pending.model.id, reason }) : await api.rollbackModel({ reason });
            setPending(null);
            setMessage(`${m.name} ${m.version}${m.configured ? ' (the configured model)' : ''} is active.`);
            load();
          }}
        />
      )}
    </main>
  );
}
