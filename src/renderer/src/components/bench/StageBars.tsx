/**
 * Where a frame's time goes, per setting: one stacked bar each, stages in the line's order, with a key. The key is
 * HTML below the drawing, wrapping as the page narrows: drawn inside the SVG's fixed 900-unit width, seven
 * entries ran past its right edge and were cut off (issue 12).
 */
import type { StageMs } from '../../../../shared/bench';

export const STAGES = ['queue', 'decode', 'preprocess', 'inference', 'decision', 'log', 'other'] as const satisfies readonly (keyof StageMs)[];

/** What each stage is, for the key's tooltips. */
const STAGE_WORDS: Record<(typeof STAGES)[number], string> = {
  queue: 'waiting in the line’s queue before decoding started',
  decode: 'decoding the camera’s JPEG',
  preprocess: 'resize and the tensor loop',
  inference: 'the model, the batch’s time shared by its frames',
  decision: 'the threshold rule',
  log: 'the row handed to the log worker',
  other: 'what no stage accounts for: hops between threads, a late timer, a batch filling',
};

const ROW = 26;
const LABEL_W = 420;
const W = 900;

export function StageBars({ rows, testId }: { rows: readonly { label: string; stages: StageMs }[]; testId?: string }) {
  const max = Math.max(1e-6, ...rows.map((r) => STAGES.reduce((s, k) => s + r.stages[k], 0))) * 1.05;
  const plotW = W - LABEL_W - 90;
  const h = rows.length * ROW + 8;
  return (
    <figure className="stage-chart" data-testid={testId}>
      <svg viewBox={`0 0 ${W} ${h}`} className="barchart" role="img" aria-label="time per frame by stage">
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
      </svg>
      <ul className="stage-key" aria-label="stages" data-testid={testId ? `${testId}-key` : undefined}>
        {STAGES.map((k) => (
          <li key={k} title={STAGE_WORDS[k]}>
            <svg viewBox="0 0 14 14" width={14} height={14} aria-hidden="true">
              <rect width={14} height={14} className={`stage stage-${k}`} />
            </svg>
            {k}
          </li>
        ))}
      </ul>
    </figure>
  );
}
