/** Decisions for the shift and for the last hour, the reject rate, and the line's frame rate. */
import type { DecisionCounts, StationStatus } from '../../../shared/status';

function CountRow({
  title,
  testId,
  counts,
  rejectRate,
  extra,
}: {
  title: string;
  testId: string;
  counts: DecisionCounts;
  rejectRate: number;
  extra?: { key: string; label: string; value: string };
}) {
  const total = counts.clean + counts.maybe + counts.pit;
  const cells: { key: string; label: string; value: string; className?: string }[] = [
    { key: 'clean', label: 'Clean', value: String(counts.clean), className: 'count-clean' },
    { key: 'maybe', label: 'Maybe', value: String(counts.maybe), className: 'count-maybe' },
    { key: 'pit', label: 'Pit', value: String(counts.pit), className: 'count-pit' },
    { key: 'total', label: 'Total', value: String(total) },
    { key: 'reject-rate', label: 'Reject rate', value: `${(rejectRate * 100).toFixed(1)}%` },
    ...(extra ? [extra] : []),
  ];
  return (
    <div className="count-group">
      <div className="count-title">{title}</div>
      <div className={`counts counts-${cells.length}`}>
        {cells.map((c) => (
          <div className={`count ${c.className ?? ''}`} key={c.key}>
            {/* Six characters or more (100.0%, a 6-digit total) get a smaller size, so the number always fits its cell (styles.css). */}
            <div className={`count-value ${c.value.length >= 6 ? 'count-value-long' : ''}`} data-testid={`${testId}-${c.key}`}>
              {c.value}
            </div>
            <div className="count-label">{c.label}</div>
          </div>
        ))}
      </div>
    </div>
  );
}

export function Counts({ status }: { status: StationStatus }) {
  const { shift, lastHour } = status;
  return (
    <div className="count-panel" data-testid="counts">
      <CountRow title={`Shift ${shift.name}`} testId="count" counts={shift.decisions} rejectRate={shift.rejectRate} />
      <CountRow
        title="Last hour"
        testId="hour"
        counts={lastHour.decisions}
        rejectRate={lastHour.rejectRate}
        extra={{ key: 'fps', label: 'items/s now', value: status.fps.toFixed(1) }}
      />
    </div>
  );
}
