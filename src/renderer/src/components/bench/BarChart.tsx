/** Horizontal bars, one per setting, with the value written beside each (frames/s per setting). */
export interface Bar {
  readonly label: string;
  readonly value: number;
  /** A reference drawn across all bars (e.g. the line's rate). */
  readonly highlight?: boolean;
}

const ROW = 26;
const LABEL_W = 420;
const W = 900;

export function BarChart({ bars, unit, marker, testId }: { bars: readonly Bar[]; unit: string; marker?: { value: number; label: string }; testId?: string }) {
  const max = Math.max(1, ...bars.map((b) => b.value), marker?.value ?? 0) * 1.1;
  const plotW = W - LABEL_W - 90;
  const x = (v: number): number => LABEL_W + (v / max) * plotW;
  const h = bars.length * ROW + 24;
  return (
    <svg viewBox={`0 0 ${W} ${h}`} className="barchart" role="img" aria-label={`${bars.length} bars, ${unit}`} data-testid={testId}>
      {bars.map((b, i) => (
        <g key={`${b.label}-${i}`} transform={`translate(0 ${i * ROW})`}>
          <text x={LABEL_W - 8} y={17} textAnchor="end" className="bar-label">
            {b.label}
          </text>
          <rect x={LABEL_W} y={4} width={Math.max(1, x(b.value) - LABEL_W)} height={ROW - 8} className={b.highlight ? 'bar bar-highlight' : 'bar'} />
          <text x={x(b.value) + 6} y={17} className="bar-value">
            {b.value.toFixed(b.value < 10 ? 2 : 1)} {unit}
          </text>
        </g>
      ))}
      {marker && (
        <g>
          <line x1={x(marker.value)} x2={x(marker.value)} y1={0} y2={bars.length * ROW} className="bar-marker" strokeDasharray="5 4" />
          <text x={x(marker.value)} y={bars.length * ROW + 16} textAnchor="middle" className="bar-value">
            {marker.label}
          </text>
        </g>
      )}
    </svg>
  );
}
