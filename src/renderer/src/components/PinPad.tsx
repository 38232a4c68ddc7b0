/** A PIN pad for a touch screen and gloves: big keys, the PIN shown as dots, typed keys work too. */
import { useEffect } from 'react';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'clear', '0', 'back'] as const;
export const MAX_PIN_DIGITS = 12;

export function PinPad({
  value,
  onChange,
  onEnter,
  disabled = false,
  disabledReason,
}: {
  value: string;
  onChange: (pin: string) => void;
  onEnter: () => void;
  disabled?: boolean;
  /** Why the keys are off, on each key (a disabled control always says why). */
  disabledReason?: string;
}) {
  const press = (key: (typeof KEYS)[number]): void => {
    if (disabled) return;
    if (key === 'clear') onChange('');
    else if (key === 'back') onChange(value.slice(0, -1));
    else if (value.length < MAX_PIN_DIGITS) onChange(value + key);
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (disabled) return;
      if (/^\d$/.test(e.key) && value.length < MAX_PIN_DIGITS) onChange(value + e.key);
      else if (e.key === 'Backspace') onChange(value.slice(0, -1));
      else if (e.key === 'Enter') onEnter();
      else return;
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [value, onChange, onEnter, disabled]);
  return (
    <div className="pinpad">
      <div className="pin-dots" data-testid="pin-dots" aria-label={`${value.length} digits entered`}>
        {value.length === 0 ? <span className="muted">enter your PIN</span> : '●'.repeat(value.length)}
      </div>
      <div className="pin-keys">
        {KEYS.map((k) => (
          <button
            type="button"
            key={k}
            className={`button pin-key ${k.length > 1 ? 'pin-key-wide' : ''}`}
            onClick={() => press(k)}
            disabled={disabled}
            title={disabled ? disabledReason : undefined}
            data-testid={`pin-${k}`}
            aria-label={k === 'back' ? 'delete last digit' : k === 'clear' ? 'clear PIN' : k}
          >
            {k === 'back' ? '⌫' : k === 'clear' ? 'C' : k}
          </button>
        ))}
      </div>
    </div>
  );
}
