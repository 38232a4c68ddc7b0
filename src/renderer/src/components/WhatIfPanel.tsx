/**
 * What the proposed thresholds would have done to the items in the sample:
 * how many would get another decision, and which way. Released items (pit or
 * maybe before, clean now) are the food-safety risk and are shown first.
 */
import type { Thresholds } from '../../../shared/manifest';
import { whatIf, type ScoreSample } from '../../../shared/what-if';
import { ScoreHistogram } from './ScoreHistogram';

const time = (iso: string | null): string => (iso ? new Date(iso).toLocaleString() : '–');

export function WhatIfPanel({ sample, proposed }: { sample: ScoreSample; proposed: Thresholds }) {
  const w = whatIf(sample, proposed);
  const rows: { label: string; value: number; testId: string; className: string }[] = [
    { label: 'released (pit or maybe → clean)', value: w.newlyReleased, testId: 'whatif-released', className: w.newlyReleased > 0 ? 'whatif-danger' : '' },
    { label: 'rejected (clean or maybe → pit)', value: w.newlyRejected, testId: 'whatif-rejected', className: '' },
    { label: 'diverted (clean → maybe)', value: w.transitions['clean→maybe'], testId: 'whatif-diverted', className: '' },
    { label: 'diverted instead of rejected (pit → maybe)', value: w.transitions['pit→maybe'], testId: 'whatif-pit-to-maybe', className: '' },
  ];
  return (
    <section className="panel whatif" aria-label="what if">
      <h3>What if</h3>
      <p className="whatif-headline">
        <strong data-testid="whatif-changed">{w.changed}</strong> of <span data-testid="whatif-items">{w.items}</span> logged items would get another decision
      </p>
      <table className="table">
        <tbody>
          {rows.map((r) => (
            <tr key={r.testId} className={r.className}>
              <td>{r.label}</td>
              <td className="num" data-testid={r.testId}>
                {r.value}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="table whatif-counts">
        <thead>
          <tr>
            <th />
            <th className="num">clean</th>
            <th className="num">maybe</th>
            <th className="num">pit</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>as decided</td>
            <td className="num">{w.before.clean}</td>
            <td className="num">{w.before.maybe}</td>
            <td className="num">{w.before.pit}</td>
          </tr>
          <tr>
            <td>with these thresholds</td>
            <td className="num" data-testid="whatif-after-clean">
              {w.after.clean}
            </td>
            <td className="num" data-testid="whatif-after-maybe">
              {w.after.maybe}
            </td>
            <td className="num" data-testid="whatif-after-pit">
              {w.after.pit}
            </td>
          </tr>
        </tbody>
      </table>
      <ScoreHistogram scores={sample.scores} current={sample.thresholds} proposed={proposed} />
      <p className="muted small">
        Scores of {sample.model.name} {sample.model.version}, {time(sample.from)} to {time(sample.to)}; bar heights on a log scale, thresholds in force dashed.
        {sample.failSafe > 0 && ` ${sample.failSafe} items rejected fail-safe in this window stay rejected whatever the thresholds.`}
        {sample.otherModels > 0 && ` ${sample.otherModels} items scored by other models are left out.`}
      </p>
    </section>
  );
}
