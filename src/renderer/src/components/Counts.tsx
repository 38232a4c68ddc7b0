/** Counts per decision since the station started, reject rate and frame rate. */
import type { StationStatus } from '../../../shared/status';

export function Counts({ status }: { status: StationStatus }) {
  const { decisions } = status;
  const total = decisions.clean + decisions.maybe + decisions.pit;
  const cells: { key: string; label: string; value: string; className?: string }[] = [
    { key: 'clean', label: 'Clean', value: String(decisions.clean), className: 'count-clean' },
    { key: 'maybe', label: 'Maybe', value: String(decisions.maybe), className: 'count-maybe' },
    { key: 'pit', label: 'Pit', value: String(decisions.pit), className: 'count-pit' },
    { key: 'total', label: 'Total', value: String(total) },
    { key: 'reject-rate', label: 'Reject rate', value: `${(status.rejectRate * 100).toFixed(1)}%` },
    { key: 'fps', label: 'Frames/s', value: status.fps.toFixed(1) },
  ];
  return (
    <div className="counts">
      {cells.map((c) => (
        <div className={`count ${c.className ?? ''}`} key={c.key}>
          <div className="count-value" data-testid={`count-${c.key}`}>
            {c.value}
          </div>
          <div className="count-label">{c.label}</div>
        </div>
      ))}
    </div>
  );
}
