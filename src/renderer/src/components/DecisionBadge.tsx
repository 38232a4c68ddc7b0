/**
 * The decision, readable from two metres: colour band, icon and word together
 * (colour is never the only signal).
 */
import type { Decision } from '../../../shared/decision';
import { plainFailSafeReason } from '../../../shared/operator-words';

const LOOK: Record<Decision, { word: string; hint: string }> = {
  clean: { word: 'CLEAN', hint: 'passed' },
  maybe: { word: 'MAYBE', hint: 'diverted for a second look' },
  pit: { word: 'PIT', hint: 'rejected' },
};

function Icon({ decision }: { decision: Decision }) {
  if (decision === 'clean') {
    return (
      <svg viewBox="0 0 48 48" aria-hidden="true">
        <path d="M10 25 L20 35 L38 14" fill="none" stroke="currentColor" strokeWidth="6" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
    );
  }
  if (decision === 'maybe') {
    return (
      <svg viewBox="0 0 48 48" aria-hidden="true">
        <path d="M17 17 a7 7 0 1 1 10 6 c-2 1 -3 3 -3 6" fill="none" stroke="currentColor" strokeWidth="5.5" strokeLinecap="round" />
        <circle cx="24" cy="37" r="3.4" fill="currentColor" />
      </svg>
    );
  }
  return (
    <svg viewBox="0 0 48 48" aria-hidden="true">
      <path d="M13 13 L35 35 M35 13 L13 35" fill="none" stroke="currentColor" strokeWidth="6" strokeLinecap="round" />
    </svg>
  );
}

export function DecisionBadge({ decision, failSafeReason }: { decision: Decision; failSafeReason?: string | undefined }) {
  const look = LOOK[decision];
  return (
    <div className={`decision decision-${decision}`} data-testid="decision" data-decision={decision} role="status" aria-live="polite">
      <div className="decision-icon">
        <Icon decision={decision} />
      </div>
      <div>
        <div className="decision-word">{look.word}</div>
        <div className="decision-hint" title={failSafeReason}>
          {failSafeReason ? `Rejected to be safe. ${plainFailSafeReason(failSafeReason)}` : look.hint}
        </div>
      </div>
    </div>
  );
}
