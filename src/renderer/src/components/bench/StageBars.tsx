/** Where a frame's time goes, per setting: one stacked bar each, stages in the line's order, with a key. */
import type { StageMs } from '../../../../shared/bench';

export const STAGES = ['decode', 'preprocess', 'inference', 'decision', 'log', 'other'] as const satisfies readonly (keyof StageMs)[];
const ROW = 26;
const LABEL_W = 420;
const W = 900;

export function StageBars({ rows, testId }: { rows: readonly { label: string; stages: StageMs }[]; testId?: string }) {
  const max = Math.max(1e-6, ...rows.map((r) => STAGES.reduce((s, k) => s + r.stages[k], 0))) * 1.05;
  const plotW = W - LABEL_W - 90;
  const h = rows.length * ROW + 34;
  return (
    <svg viewBox={`0 0 ${W} ${h}`} className="barchart" role="img" aria-label="time per frame by stage" data-testid={testId}>
      {rows.map((r, i) => {
        let at = LABEL_W;
        const total = STAGES.reduce((s, k) => s + r.stages[k], 0);
        return (
          <g key={`${r.label}-${i}`} transform={`translate(0 ${i * ROW})`}>
            <text x={LABEL_W - 8} y={17} textAnchor="end" className="bar-label">
              {r.label}
            </text>
            {STAGES.map((k) => {
              const w = (r.stages[k] / max) * plotW;
              const rect = (
                <rect key={k} x={at} y={4} width={Math.max(0, w)} height={ROW - 8} className={`stage stage-${k}`}>
                  <title>{`${k}: ${r.stages[k].toFixed(3)} ms`}</title>
                </rect>
              );
              at += w;
              return rect;
            })}
            <text x={at + 6} y={17} className="bar-value">
              {total.toFixed(total < 10 ? 2 : 1)} ms
            </text>
          </g>
        );
      })}
      <g transform={`translate(${LABEL_W} ${rows.length * ROW + 8})`}>
        {STAGES.map((k, i) => (
          <g key={k} transform={`translate(${i * 88} 0)`}>
            <rect width={14} height={14} className={`stage stage-${k}`} />
            <text x={18} y={12} className="bar-value">
              {k}
            </text>
          </g>
        ))}
      </g>
    </svg>
  );
}
