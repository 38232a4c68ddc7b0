/** A choice among a few shares (a recall target, a confidence, a budget), shown as percentages. */
export function ShareSelect({
  label,
  value,
  choices,
  onChange,
  testId,
}: {
  label: string;
  value: number;
  choices: readonly number[];
  onChange: (value: number) => void;
  testId?: string;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(Number(e.target.value))} data-testid={testId}>
        {choices.map((t) => (
          <option key={t} value={t}>
            {`${(100 * t).toFixed(1)} %`}
          </option>
        ))}
      </select>
    </label>
  );
}
