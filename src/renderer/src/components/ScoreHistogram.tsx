/**
 * Scores of the logged items in 50 bins over 0..1, each bar coloured by the
 * decision it would get under the proposed thresholds, with the thresholds
 * in force (dashed) and the proposed ones (solid) drawn across. Bar height is
 * on a log scale: a good model's scores pile up near 0 and 1, and the few
 * items near the thresholds are the ones that matter.
 */
import { decisionForScore } from '../../../shared/decision';
import type { Thresholds } from '../../../shared/manifest';
import { scoreHistogram } from '../../../shared/what-if';

const BINS = 50;
const W = 800;
const H = 220;
const PAD = { left: 44, right: 24, top: 12, bottom: 30 };

export function ScoreHistogram({ scores, current, proposed }: { scores: readonly number[]; current: Thresholds; proposed: Thresholds }) {
  const counts = scoreHistogram(scores, BINS);
  const peak = Math.max(1, ...counts);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (score: number): number => PAD.left + score * plotW;
  const height = (n: number): number => (n === 0 ? 0 : (Math.log1p(n) / Math.log1p(peak)) * plotH);
  const line = (score: number, kind: 'pit' | 'maybe', dashed: boolean) => (
    <line
      x1={x(score)}
      x2={x(score)}
      y1={PAD.top}
      y2={PAD.top + plotH}
      className={`hist-line hist-line-${kind}`}
      strokeDasharray={dashed ? '6 5' : undefined}
      data-testid={`hist-${dashed ? 'current' : 'proposed'}-${kind}`}
    />
  );
  return (
    <svg viewBox={`0 0 ${W} ${H}`} className="histogram" role="img" aria-label={`histogram of ${scores.length} scores`} data-testid="score-histogram">
      {counts.map((n, i) => {
        const h = height(n);
        const mid = (i + 0.5) / BINS;
        return (
          <rect
            key={i}
            x={x(i / BINS) + 1}
            width={plotW / BINS - 2}
            y={PAD.top + plotH - h}
            height={h}
            className={`hist-bar bar-${decisionForScore(mid, proposed)}`}
          >
            <title>{`${(i / BINS).toFixed(2)}–${((i + 1) / BINS).toFixed(2)}: ${n} items`}</title>
          </rect>
        );
      })}
      <line x1={PAD.left} x2={PAD.left + plotW} y1={PAD.top + plotH} y2={PAD.top + plotH} className="hist-axis" />
      {[0, 0.25, 0.5, 0.75, 1].map((t) => (
        <text key={t} x={x(t)} y={H - 8} className="hist-tick" textAnchor="middle">
          {t.toFixed(2)}
        </text>
      ))}
      <text x={8} y={PAD.top + 12} className="hist-tick">
        {peak}
      </text>
      <text x={8} y={PAD.top + plotH} className="hist-tick">
        0
      </text>
      {line(current.maybe, 'maybe', true)}
      {line(current.pit, 'pit', true)}
      {line(proposed.maybe, 'maybe', false)}
      {line(proposed.pit, 'pit', false)}
    </svg>
  );
}
