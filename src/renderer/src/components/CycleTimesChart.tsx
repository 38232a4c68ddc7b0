/**
 * Each PLC trigger's way through the station (issue 17), one row a stage:
 * trigger → frame, frame → decision, decision → command (the result shown to
 * the PLC), command → the ejector's confirmation, and the PLC's whole cycle.
 * Bars count the latest items in each time bucket (engine/plc/cycle-times.ts);
 * a technician sees at a glance which stage is slow, or spread out.
 */
import type { CycleStage, CycleTimes } from '../../../shared/status';

const STAGE_WORDS: Record<CycleStage, string> = {
  frame: 'trigger → frame',
  decision: 'frame → decision',
  command: 'decision → PLC sees it',
  confirm: 'PLC → ejector confirms',
  total: 'trigger → PLC sees it',
};
const W = 800;
const ROW = 46;
const LABEL = 190;
const PAD = { right: 120, top: 8, bottom: 26 };

const edgeWords = (ms: number): string => (ms < 1 ? `${ms}` : ms >= 1000 ? `${ms / 1000} s` : `${ms}`);

export function CycleTimesChart({ times }: { times: CycleTimes }) {
  const buckets = times.edgesMs.length + 1;
  const plotW = W - LABEL - PAD.right;
  const bw = plotW / buckets;
  const H = PAD.top + times.stages.length * ROW + PAD.bottom;
  return (
    <svg viewBox={`0 0 ${W} ${H}`} className="histogram" role="img" aria-label="times of each PLC trigger by stage" data-testid="cycle-times">
      {times.stages.map((s, row) => {
        const peak = Math.max(1, ...s.counts);
        const y0 = PAD.top + row * ROW;
        const summary = s.n === 0 ? 'none yet' : `p50 ${s.p50} ms · p99 ${s.p99} ms`;
        return (
          <g key={s.stage} data-testid={`cycle-stage-${s.stage}`}>
            <text x={8} y={y0 + ROW / 2} className="hist-tick">
              {STAGE_WORDS[s.stage]}
            </text>
            {s.counts.map((n, i) => {
              const h = n === 0 ? 0 : Math.max(2, (n / peak) * (ROW - 10));
              const upTo = times.edgesMs[i];
              return (
                <rect key={i} x={LABEL + i * bw + 1} width={bw - 2} y={y0 + ROW - 4 - h} height={h} className="hist-bar bar-clean">
                  <title>{`${upTo === undefined ? `over ${times.edgesMs[i - 1]} ms` : `up to ${upTo} ms`}: ${n} items`}</title>
                </rect>
              );
            })}
            <text x={LABEL + plotW + 8} y={y0 + ROW / 2} className="hist-tick">
              {summary}
            </text>
            <line x1={LABEL} x2={LABEL + plotW} y1={y0 + ROW - 4} y2={y0 + ROW - 4} className="hist-axis" />
          </g>
        );
      })}
      {times.edgesMs.map((ms, i) => (
        <text key={ms} x={LABEL + (i + 1) * bw} y={H - 8} className="hist-tick" textAnchor="middle">
          {edgeWords(ms)}
        </text>
      ))}
      <text x={LABEL + plotW + 8} y={H - 8} className="hist-tick">
        ms
      </text>
    </svg>
  );
}
