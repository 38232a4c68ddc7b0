/**
 * A shadow trial on the Models page (issue 16): a technician tries a
 * registered candidate beside the live model — it sees the same frames and
 * never actuates — and watches agreement, Cohen's κ and both kinds of
 * disagreement with their 95 % intervals fill in; every disagreement's frame
 * is shown for review (and labelling). Then promote it (the line switches
 * between two items, with the thresholds it was tried with) or discard it,
 * each with a reason for the audit trail.
 */
import { useCallback, useEffect, useState } from 'react';
import type { Capture } from '../../../shared/capture';
import type { LineSightApi } from '../../../shared/contract';
import { DECISIONS } from '../../../shared/decision';
import type { ModelRecord } from '../../../shared/models';
import type { Rate, ShadowTrial } from '../../../shared/shadow';
import { useStation } from '../api/station-context';
import { describeThresholds } from '../audit-words';
import { formatTime } from '../format';
import { CaptureImage } from './CaptureImage';
import { LabelButtons } from './LabelButtons';
import { ReasonDialog } from './ReasonDialog';
import { ShareSelect } from './ShareSelect';

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

/** A rate with its interval, as a technician reads it: "3 (1.2 %, 95 %: 0.3–3.5 %)". */
export function rateWords(r: Rate): string {
  return `${r.count} (${pct(r.rate)}; 95 %: ${pct(r.low)}–${pct(r.high)})`;
}

const STATE_WORDS: Record<ShadowTrial['state'], string> = {
  running: 'running',
  finished: 'finished: promote or discard it',
  promoted: 'promoted',
  discarded: 'discarded',
  failed: 'ended early',
};

function DisagreementCard({ api, capture }: { api: LineSightApi; capture: Capture }) {
  return (
    <div className="disagreement" data-testid="shadow-disagreement">
      <CaptureImage api={api} capture={capture} />
      <div className="small">
        live <strong>{capture.decision}</strong> {capture.rejectScore?.toFixed(3) ?? '–'} · candidate <strong>{capture.candidate?.decision}</strong>{' '}
        {capture.candidate?.score.toFixed(3)}
      </div>
      <LabelButtons api={api} target={{ kind: 'capture', id: capture.id }} initial={capture.label} />
    </div>
  );
}

function Figures({ trial }: { trial: ShadowTrial }) {
  const f = trial.figures;
  return (
    <>
      <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={trial.stopAt.items} aria-valuenow={f.compared}>
        <div className="progress-fill" style={{ width: `${Math.min(100, (100 * f.compared) / trial.stopAt.items)}%` }} />
      </div>
      <table className="table facts" data-testid="shadow-figures">
        <tbody>
          <tr>
            <th>compared</th>
            <td data-testid="shadow-compared">
              {f.compared} of {trial.stopAt.items} (until {formatTime(trial.stopAt.until)}); {f.notCompared} not compared (rejected without a verdict)
            </td>
          </tr>
          <tr>
            <th>frames it saw</th>
            <td>
              {f.offered} of {f.seen} ({f.seen > 0 ? pct(f.offered / f.seen) : '–'}; share asked {pct(trial.share)})
            </td>
          </tr>
          <tr>
            <th>agreement</th>
            <td data-testid="shadow-agreement">{rateWords(f.agreement)}</td>
          </tr>
          <tr>
            <th>Cohen&apos;s κ</th>
            <td data-testid="shadow-kappa">{f.kappa === null ? '–' : f.kappa.toFixed(3)}</td>
          </tr>
          <tr>
            <th>live rejects, candidate passes</th>
            <td data-testid="shadow-missed">{rateWords(f.liveRejectsCandidatePasses)}</td>
          </tr>
          <tr>
            <th>candidate rejects, live passes</th>
            <td data-testid="shadow-extra">{rateWords(f.candidateRejectsLivePasses)}</td>
          </tr>
          <tr>
            <th>divert versus reject</th>
            <td>{f.divertVersusReject}</td>
          </tr>
        </tbody>
      </table>
      <table className="table small" aria-label="decisions, live by candidate">
        <thead>
          <tr>
            <th>live ↓ candidate →</th>
            {DECISIONS.map((d) => (
              <th key={d}>{d}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {DECISIONS.map((d, i) => (
            <tr key={d}>
              <th>{d}</th>
              {DECISIONS.map((c, j) => (
                <td key={c}>{f.matrix[i]?.[j] ?? 0}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function ShadowTrialPanel({ models, onChanged }: { models: readonly ModelRecord[]; onChanged: () => void }) {
  const { api, asTechnician } = useStation();
  const [trial, setTrial] = useState<ShadowTrial | null>(null);
  const [choice, setChoice] = useState<number | null>(null);
  const [items, setItems] = useState(1000);
  const [minutes, setMinutes] = useState(60);
  const [share, setShare] = useState(1);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<'promote' | 'discard' | null>(null);
  const [kept, setKept] = useState<Capture[]>([]);

  const candidates = models.filter((m) => m.use.line && !m.active);
  const chosen = candidates.find((m) => m.id === choice) ?? candidates[0] ?? null;

  const loadKept = useCallback((id: number) => api.listCaptures({ filter: { trialId: id, labelled: 'any' }, limit: 24 }).then(setKept, () => {}), [api]);
  useEffect(() => {
    api.getShadowTrial({}).then(setTrial, () => {});
    return api.on('shadowProgress', setTrial);
  }, [api]);
  useEffect(() => {
    if (trial) void loadKept(trial.id);
  }, [trial?.id, trial?.state, trial?.kept, loadKept]); // eslint-disable-line react-hooks/exhaustive-deps

  const run = async (what: () => Promise<unknown>): Promise<void> => {
    setError(null);
    if (!(await asTechnician())) return;
    setBusy(true);
    try {
      await what();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const running = trial?.state === 'running';
  const startWhy = busy
    ? 'Sent to the station: waiting for its answer.'
    : running
      ? 'A trial is running: stop it first.'
      : !chosen
        ? 'No registered model to try: import one or teach one first.'
        : null;

  return (
    <section className="panel" data-testid="shadow-panel">
      <h3>Shadow trial</h3>
      <p className="muted">
        A candidate sees the same frames as the running model and decides beside it, never driving the sorter. Promote it once it has earned the line.
      </p>
      <div className="choice-row">
        <label className="field">
          <span>Candidate</span>
          <select value={chosen?.id ?? ''} onChange={(e) => setChoice(Number(e.target.value))} data-testid="shadow-candidate">
            {candidates.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name} {m.version}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Items to compare</span>
          <input type="number" min={10} value={items} onChange={(e) => setItems(Number(e.target.value))} data-testid="shadow-items" />
        </label>
        <label className="field">
          <span>At most (minutes)</span>
          <input type="number" min={1} value={minutes} onChange={(e) => setMinutes(Number(e.target.value))} data-testid="shadow-minutes" />
        </label>
        <ShareSelect label="Share of frames" value={share} choices={[1, 0.5, 0.25, 0.1]} onChange={setShare} testId="shadow-share" />
      </div>
      <div className="choice-row">
        <button
          type="button"
          className="button button-primary"
          disabled={startWhy !== null}
          title={startWhy ?? undefined}
          data-testid="shadow-start"
          onClick={() => void run(async () => setTrial(await api.startShadowTrial({ modelId: chosen!.id, items, minutes, share })))}
        >
          Start trial
        </button>
        {running && (
          <button
            type="button"
            className="button"
            disabled={busy}
            data-testid="shadow-stop"
            onClick={() => void run(async () => setTrial(await api.stopShadowTrial({})))}
          >
            Stop now
          </button>
        )}
        {trial?.state === 'finished' && (
          <button
            type="button"
            className="button button-primary"
            disabled={busy}
            data-testid="shadow-promote"
            onClick={() => void run(async () => setPending('promote'))}
          >
            Promote {trial.candidate.name} {trial.candidate.version}
          </button>
        )}
        {(trial?.state === 'finished' || trial?.state === 'failed') && (
          <button type="button" className="button" disabled={busy} data-testid="shadow-discard" onClick={() => void run(async () => setPending('discard'))}>
            Discard
          </button>
        )}
      </div>
      {startWhy && !running && <p className="muted small">{startWhy}</p>}
      {error && (
        <div className="form-error" role="alert" data-testid="shadow-error">
          {error}
        </div>
      )}
      {trial && (
        <div data-testid="shadow-trial">
          <p>
            Trial {trial.id}:{' '}
            <strong>
              {trial.candidate.name} {trial.candidate.version}
            </strong>{' '}
            beside {trial.live.name} {trial.live.version}, with {describeThresholds(trial.thresholds)} —{' '}
            <span data-testid="shadow-state">{STATE_WORDS[trial.state]}</span>
            {trial.endedBecause && <span className="muted"> ({trial.endedBecause})</span>}
            {trial.decidedBy && (
              <span className="muted">
                {' '}
                by {trial.decidedBy}: {trial.decidedReason}
              </span>
            )}
          </p>
          <Figures trial={trial} />
          <h4>Disagreements kept for review ({trial.kept})</h4>
          <div className="disagreements">
            {kept.length === 0 ? <span className="muted">none yet</span> : kept.map((c) => <DisagreementCard key={c.id} api={api} capture={c} />)}
          </div>
        </div>
      )}
      {pending && trial && (
        <ReasonDialog
          title={
            pending === 'promote' ? `Promote ${trial.candidate.name} ${trial.candidate.version}` : `Discard ${trial.candidate.name} ${trial.candidate.version}`
          }
          summary={
            pending === 'promote'
              ? `The line switches to it between two items, with ${describeThresholds(trial.thresholds)}: agreement ${pct(trial.figures.agreement.rate)}, it would have passed ${trial.figures.liveRejectsCandidatePasses.count} items the running model held back.`
              : 'The trial is closed; the candidate stays in the registry, not active.'
          }
          suggestions={
            pending === 'promote' ? ['Earned the line in its trial', 'Fewer good items thrown away'] : ['Misses defects', 'Throws away good items', 'No better']
          }
          confirmLabel={pending === 'promote' ? 'Promote' : 'Discard'}
          onCancel={() => setPending(null)}
          onConfirm={async (reason) => {
            if (pending === 'promote') await api.promoteShadowCandidate({ trialId: trial.id, reason });
            else setTrial(await api.discardShadowCandidate({ trialId: trial.id, reason }));
            setPending(null);
            setTrial(await api.getShadowTrial({ id: trial.id }));
            onChanged();
          }}
        />
      )}
    </section>
  );
}
