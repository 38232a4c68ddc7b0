/** Each label's score as a bar, with the pit and maybe thresholds marked on the reject label's bar. */
import type { Thresholds } from '../../../shared/manifest';

export function ScoreBars({ scores, rejectLabel, thresholds }: { scores: Record<string, number>; rejectLabel: string; thresholds: Thresholds }) {
  return (
    <div className="scores" data-testid="scores">
      {Object.entries(scores).map(([label, score]) => (
        <div className="score-row" key={label}>
          <span className="score-label">{label.replace(/^cherry_/, '')}</span>
          <div className="score-track">
            <div className={`score-fill ${label === rejectLabel ? 'score-reject' : ''}`} style={{ width: `${(score * 100).toFixed(1)}%` }} />
            {label === rejectLabel && (
              <>
                <div className="score-mark score-mark-maybe" style={{ left: `${thresholds.maybe * 100}%` }} title={`maybe ≥ ${thresholds.maybe}`} />
                <div className="score-mark score-mark-pit" style={{ left: `${thresholds.pit * 100}%` }} title={`pit ≥ ${thresholds.pit}`} />
              </>
            )}
          </div>
          <span className="score-value">{score.toFixed(2)}</span>
        </div>
      ))}
    </div>
  );
}
