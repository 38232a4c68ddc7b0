/**
 * The technician's thresholds: move the sliders, see at once what the new
 * thresholds would have done to the items already in the log (what-if),
 * then apply with a reason (technician only, audited); they take effect on
 * the next frame and are kept across restarts. Or calibrate them on labelled
 * pictures and apply the calibration (CalibrationPanel, issue 15).
 *
 * The reasons offered follow the direction of the change (issue 12 once
 * offered "Too many good cherries rejected" for a lower pit threshold, which
 * rejects more).
 */
import { useCallback, useEffect, useState } from 'react';
import type { AuditEntry } from '../../../shared/audit';
import type { Thresholds } from '../../../shared/manifest';
import type { ScoreSample, ScoreWindow } from '../../../shared/what-if';
import { useStation } from '../api/station-context';
import { describeAuditValue } from '../audit-words';
import { CalibrationPanel } from '../components/CalibrationPanel';
import { ReasonDialog } from '../components/ReasonDialog';
import { ThresholdSlider } from '../components/ThresholdSlider';
import { WhatIfPanel } from '../components/WhatIfPanel';

const WINDOWS: { label: string; window: ScoreWindow }[] = [
  { label: 'last 500 items', window: { last: 500 } },
  { label: 'last 2,000', window: { last: 2000 } },
  { label: 'last 20,000', window: { last: 20_000 } },
  { label: 'last hour', window: { sinceMinutes: 60 } },
  { label: 'last 8 hours', window: { sinceMinutes: 480 } },
];

/** Reasons that fit any change. */
const ANY_CHANGE = ['Calibrated on a labelled set', 'New variety or lot'];

/**
 * Reasons to tap that agree with the change: a lower pit threshold rejects more (pits were getting through), a higher
 * one fewer (good cherries were rejected); a lower maybe threshold sends more items for a second look, a higher one fewer.
 */
export function suggestReasons(current: Thresholds, proposed: Thresholds): string[] {
  const reasons: string[] = [];
  if (proposed.pit < current.pit) reasons.push('Pits were getting through');
  if (proposed.pit > current.pit) reasons.push('Too many good cherries rejected');
  if (proposed.maybe < current.maybe) reasons.push('Doubtful cherries were getting through');
  if (proposed.maybe > current.maybe) reasons.push('Too many cherries sent for a second look');
  return [...reasons, ...ANY_CHANGE];
}

/** Keeps maybe ≤ pit: moving one past the other takes the other along. */
export function adjustThresholds(t: Thresholds, kind: 'pit' | 'maybe', value: number): Thresholds {
  if (kind === 'pit') return { pit: value, maybe: Math.min(t.maybe, value) };
  return { maybe: value, pit: Math.max(t.pit, value) };
}

const same = (a: Thresholds, b: Thresholds): boolean => a.pit === b.pit && a.maybe === b.maybe;
const UNCHANGED = 'These are the thresholds in force: move a slider to propose others.';

export function ThresholdsPage() {
  const { api, status, asTechnician } = useStation();
  const current = status.thresholds;
  const [proposed, setProposed] = useState<Thresholds>(current);
  const [windowIndex, setWindowIndex] = useState(1);
  const [sample, setSample] = useState<ScoreSample | null>(null);
  const [sampleError, setSampleError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [applied, setApplied] = useState<string | null>(null);
  const [history, setHistory] = useState<AuditEntry[]>([]);

  const load = useCallback(() => {
    api.getScoreSample({ window: WINDOWS[windowIndex]!.window }).then(
      (s) => {
        setSample(s);
        setSampleError(null);
      },
      (e: Error) => setSampleError(e.message),
    );
    api.getAudit({ limit: 50 }).then(
      (a) => setHistory(a.filter((e) => e.subject === 'thresholds').slice(0, 5)),
      () => {},
    );
  }, [api, windowIndex]);
  useEffect(load, [load]);

  const unchanged = same(proposed, current);
  const apply = async (): Promise<void> => {
    setApplied(null);
    if (await asTechnician()) setConfirming(true);
  };

  return (
    <main className="page" data-testid="page-thresholds">
      <section className="panel">
        <h2>Decision thresholds</h2>
        <p className="muted">
          Now: pit ≥ {current.pit.toFixed(2)}, maybe ≥ {current.maybe.toFixed(2)}
          {status.thresholdsSetBy
            ? `, set by ${status.thresholdsSetBy.actor} at ${new Date(status.thresholdsSetBy.at).toLocaleString()}${status.thresholdsSetBy.reason ? ` (${status.thresholdsSetBy.reason})` : ''}`
            : ', from the model or the config file'}
          .
        </p>
        <ThresholdSlider
          label="Pit: reject at or above"
          kind="pit"
          value={proposed.pit}
          current={current.pit}
          onChange={(v) => setProposed((t) => adjustThresholds(t, 'pit', v))}
        />
        <ThresholdSlider
          label="Maybe: divert at or above"
          kind="maybe"
          value={proposed.maybe}
          current={current.maybe}
          onChange={(v) => setProposed((t) => adjustThresholds(t, 'maybe', v))}
        />
        <div className="modal-actions">
          <button type="button" className="button" onClick={() => setProposed(current)} disabled={unchanged} title={unchanged ? UNCHANGED : undefined}>
            Back to the thresholds in force
          </button>
          <button
            type="button"
            className="button button-primary"
            onClick={() => void apply()}
            disabled={unchanged}
            title={unchanged ? UNCHANGED : undefined}
            data-testid="apply-thresholds"
          >
            Apply…
          </button>
        </div>
        {unchanged && (
          <p className="disabled-reason" data-testid="apply-why">
            {UNCHANGED}
          </p>
        )}
        {applied && (
          <div className="notice" role="status" data-testid="applied">
            {applied}
          </div>
        )}
      </section>
      <CalibrationPanel
        proposed={proposed}
        onUse={setProposed}
        onApplied={(result) => {
          setProposed(result);
          setApplied(`Applied the calibration: pit ≥ ${result.pit.toFixed(3)}, maybe ≥ ${result.maybe.toFixed(3)}.`);
          load();
        }}
      />
      <section className="panel">
        <div className="choice-row" role="radiogroup" aria-label="items to compare with">
          {WINDOWS.map((w, i) => (
            <button
              type="button"
              key={w.label}
              role="radio"
              aria-checked={i === windowIndex}
              className={`button ${i === windowIndex ? 'button-selected' : ''}`}
              onClick={() => setWindowIndex(i)}
            >
              {w.label}
            </button>
          ))}
          <button type="button" className="button" onClick={load} data-testid="whatif-refresh">
            Refresh
          </button>
        </div>
        {sampleError && <div className="form-error">{sampleError}</div>}
        {sample ? <WhatIfPanel sample={sample} proposed={proposed} /> : !sampleError && <div className="muted">reading the log…</div>}
      </section>
      {history.length > 0 && (
        <section className="panel">
          <h3>Recent changes</h3>
          <table className="table">
            <tbody>
              {history.map((h) => (
                <tr key={h.seq}>
                  <td>{new Date(h.at).toLocaleString()}</td>
                  <td>{h.actor}</td>
                  <td>
                    {describeAuditValue('thresholds', h.old)} → {describeAuditValue('thresholds', h.new)}
                  </td>
                  <td>{h.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {confirming && (
        <ReasonDialog
          title="Apply new thresholds"
          summary={`Pit ${current.pit.toFixed(2)} → ${proposed.pit.toFixed(2)}, maybe ${current.maybe.toFixed(2)} → ${proposed.maybe.toFixed(2)}, from the next item on.`}
          suggestions={suggestReasons(current, proposed)}
          confirmLabel="Apply"
          onCancel={() => setConfirming(false)}
          onConfirm={async (reason) => {
            const result = await api.setThresholds({ thresholds: proposed, reason });
            setConfirming(false);
            setProposed(result);
            setApplied(`Applied: pit ≥ ${result.pit.toFixed(2)}, maybe ≥ ${result.maybe.toFixed(2)}.`);
            load();
          }}
        />
      )}
    </main>
  );
}
