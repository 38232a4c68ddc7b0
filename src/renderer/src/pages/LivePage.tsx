/**
 * The operator's live view, read from two metres: the current item with a
 * band in its decision's colour, the decision as icon and word, the scores
 * against the thresholds, the shift's and last hour's counts, the frame
 * rate, and the latest rejects.
 */
import { useStation } from '../api/station-context';
import { useLatestInspection } from '../api/use-station';
import { Counts } from '../components/Counts';
import { DecisionBadge } from '../components/DecisionBadge';
import { JpegImage } from '../components/JpegImage';
import { RejectStrip } from '../components/RejectStrip';
import { ScoreBars } from '../components/ScoreBars';

export function LivePage() {
  const { api, status } = useStation();
  const latest = useLatestInspection(api);
  const inspection = latest?.inspection;
  return (
    <main className="live" data-testid="page-live">
      <section className="live-current">
        <div className={`frame ${inspection ? `frame-${inspection.decision}` : ''}`}>
          {inspection && (
            <div className={`frame-band band-${inspection.decision}`} aria-hidden="true">
              {inspection.decision.toUpperCase()}
            </div>
          )}
          {latest?.jpeg ? (
            <JpegImage jpeg={latest.jpeg} alt={`frame ${inspection?.frameId}`} testId="frame-image" />
          ) : (
            <div className="frame-empty">waiting for the first item…</div>
          )}
        </div>
        <div className="live-verdict">
          {inspection ? (
            <>
              <DecisionBadge decision={inspection.decision} failSafeReason={inspection.failSafeReason} />
              <ScoreBars scores={inspection.scores} rejectLabel={status.model.rejectLabel} thresholds={status.thresholds} />
              <div className="item-meta">
                item {inspection.frameId} · {new Date(inspection.capturedAt).toLocaleTimeString()} · {inspection.totalMs.toFixed(1)} ms
              </div>
            </>
          ) : (
            <div className="frame-empty">no decision yet</div>
          )}
          <div className="thresholds-line muted">
            pit ≥ {status.thresholds.pit.toFixed(2)} · maybe ≥ {status.thresholds.maybe.toFixed(2)}
          </div>
          <Counts status={status} />
        </div>
      </section>
      <RejectStrip api={api} status={status} />
    </main>
  );
}
