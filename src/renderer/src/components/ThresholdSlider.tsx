/** One threshold: a wide slider for a finger, and − / + buttons for a gloved one (0.01 a press). */
const STEP = 0.01;
const clamp = (v: number): number => Math.min(1, Math.max(0, Math.round(v * 100) / 100));

export function ThresholdSlider({
  label,
  kind,
  value,
  current,
  onChange,
}: {
  label: string;
  kind: 'pit' | 'maybe';
  value: number;
  current: number;
  onChange: (v: number) => void;
}) {
  return (
    <div className={`slider slider-${kind}`}>
      <div className="slider-head">
        <span className="slider-label">{label}</span>
        <span className="slider-value" data-testid={`value-${kind}`}>
          {value.toFixed(2)}
        </span>
        {value !== current && <span className="muted">(now {current.toFixed(2)})</span>}
      </div>
      <div className="slider-row">
        <button type="button" className="button" onClick={() => onChange(clamp(value - STEP))} aria-label={`lower ${label}`}>
          −
        </button>
        <input
          type="range"
          min={0}
          max={1}
          step={STEP}
          value={value}
          onChange={(e) => onChange(clamp(Number(e.target.value)))}
          aria-label={label}
          data-testid={`slider-${kind}`}
        />
        <button type="button" className="button" onClick={() => onChange(clamp(value + STEP))} aria-label={`raise ${label}`}>
          +
        </button>
      </div>
    </div>
  );
}
