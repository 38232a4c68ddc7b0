/**
 * The live page's decision panel while the fail-safe is engaged: every item
 * goes to the reject, whatever the model would say. One unmistakable state
 * for the operator: REJECTING ALL, why in plain words, and what to do
 * (shared/operator-words.ts); the technical detail is on Diagnostics.
 */
import type { AlarmKind } from '../../../shared/alarms';
import { rejectingAll } from '../../../shared/operator-words';
import { StopIcon } from './Icons';

export function RejectingAll({ kinds }: { kinds: readonly AlarmKind[] }) {
  const { why, todo } = rejectingAll(kinds);
  return (
    <div className="decision decision-rejecting" data-testid="rejecting-all" role="status" aria-live="polite">
      <div className="decision-icon">
        <StopIcon />
      </div>
      <div>
        <div className="decision-word rejecting-word">REJECTING ALL</div>
        <ul className="rejecting-why" data-testid="rejecting-why">
          {why.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
        <div className="rejecting-todo" data-testid="rejecting-todo">
          {todo}
        </div>
      </div>
    </div>
  );
}

/** Before the first item: the panel keeps its place and size, so the page does not jump when the line starts. */
export function WaitingForItem() {
  return (
    <div className="decision decision-waiting" data-testid="decision-waiting" role="status">
      <div className="decision-waiting-word">Waiting for the first item…</div>
    </div>
  );
}
