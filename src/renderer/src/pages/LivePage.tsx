/**
 * The operator's live view, read from two metres: the current item with a
 * band in its decision's colour, the decision as icon and word, the scores
 * against the thresholds, the shift's and last hour's counts, the frame
 * rate, and the latest rejects. While the fail-safe is engaged the decision
 * panel says REJECTING ALL, why in plain words and what to do, instead of
 * the last item's verdict (which no longer drives the reject).
 */
import { useStation } from '../api/station-context';
import { useLatestInspection } from '../api/use-station';
import { Counts } from '../components/Counts';
import { DecisionBadge } from '../components/DecisionBadge';
import { JpegImage } from '../components/JpegImage';
import { RejectingAll, WaitingForItem } from '../components/RejectingAll';
import { RejectStrip } from '../components/RejectStrip';
import { ScoreBars } from '../components/ScoreBars';

export function LivePage() {
  const { api, status } = useStation();
  const latest = useLatestInspection(api);
  const inspection = latest?.inspection;
  const rejectingAll = status.failSafe.engaged;
  // The band and border follow what the sorter does now: while every item is rejected, that, not the last verdict.
  const look = rejectingAll ? 'pit' : inspection?.decision;
  return (
    <main className="live" data-testid="page-live">
      <section className="live-current">
        <div className={`frame ${look ? `frame-${look}` : ''}`}>
          {look && (
            <div className={`frame-band band-${look}`} aria-hidden="true">
              {rejectingAll ? 'REJECTING ALL' : look.toUpperCase()}
            </div>
          )}
          {latest?.jpeg ? (
            <JpegImage jpeg={latest.jpeg} alt={`frame ${inspection?.frameId}`} testId="frame-image" />
          ) : (
            <div className="frame-empty">no picture yet</div>
          )}
        </div>
        <div className="live-verdict">
          <div className="live-decision" data-testid="live-decision">
            {rejectingAll ? (
              <RejectingAll kinds={status.failSafe.kinds} />
            ) : inspection ? (
              <>
                <DecisionBadge decision={inspection.decision} failSafeReason={inspection.failSafeReason} />
                <ScoreBars scores={inspection.scores} rejectLabel={status.model.rejectLabel} thresholds={status.thresholds} />
              </>
            ) : (
              <WaitingForItem />
            )}
          </div>
          <div className="item-meta">
            {inspection && !rejectingAll && (
              <>
                frame {inspection.frameId} · {new Date(inspection.capturedAt).toLocaleTimeString()} · {inspection.totalMs.toFixed(1)} ms ·{' '}
              </>
            )}
            pit ≥ {status.thresholds.pit.toFixed(2)} · maybe ≥ {status.thresholds.maybe.toFixed(2)}
          </div>
          <Counts status={status} />
        </div>
      </section>
      <RejectStrip api={api} status={status} />
    </main>
  );
}
