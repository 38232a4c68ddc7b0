/** The operator's live view: the current item, its decision, the shift's counts. */
import type { LineSightApi } from '../../../shared/contract';
import type { StationStatus } from '../../../shared/status';
import { useLatestInspection } from '../api/use-station';
import { Counts } from '../components/Counts';
import { DecisionBadge } from '../components/DecisionBadge';
import { ScoreBars } from '../components/ScoreBars';

export function LivePage({ api, status }: { api: LineSightApi; status: StationStatus }) {
  const latest = useLatestInspection(api);
  const inspection = latest?.inspection;
  return (
    <main className="live">
      <section className="live-current">
        <div className={`frame ${inspection ? `frame-${inspection.decision}` : ''}`}>
          {latest?.imageUrl ? (
            <img src={latest.imageUrl} alt={`frame ${inspection?.frameId}`} data-testid="frame-image" />
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
        </div>
      </section>
      <Counts status={status} />
    </main>
  );
}
