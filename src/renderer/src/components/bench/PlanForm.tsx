/**
 * The plan, chosen with the fingers: which models, scenarios, providers,
 * thread counts, batch sizes and modes, at what line rate and with how much
 * headroom, measured for how long. Each choice is a toggle; the number of
 * cases it makes is shown before anything starts. A provider the station
 * already saw fail to load is marked with the reason, and stays selectable
 * (a driver may have been installed since).
 */
import type { ReactNode } from 'react';
import { BUDGETS, expandPlan, SCENARIO_WORDS, SCENARIOS, type BenchOptions, type BenchPlan, type BudgetName } from '../../../../shared/bench';

const BATCHES = [1, 2, 4, 8, 16, 32] as const;
const MODES = ['latency', 'throughput'] as const;

function toggle<T>(list: readonly T[], item: T): T[] {
  return list.includes(item) ? list.filter((x) => x !== item) : [...list, item];
}

function Toggles<T extends string | number>({
  name,
  items,
  chosen,
  label,
  onChange,
}: {
  name: string;
  items: readonly T[];
  chosen: readonly T[];
  label: (t: T) => ReactNode;
  onChange: (next: T[]) => void;
}) {
  return (
    <div className="choice-row" role="group" aria-label={name} data-testid={`plan-${name}`}>
      {items.map((t) => (
        <button
          type="button"
          key={String(t)}
          role="checkbox"
          aria-checked={chosen.includes(t)}
          className={`button ${chosen.includes(t) ? 'button-selected' : ''}`}
          onClick={() => onChange(toggle(chosen, t))}
          data-testid={`plan-${name}-${String(t)}`}
        >
          {label(t)}
        </button>
      ))}
    </div>
  );
}

/** The plan's sets must not be empty; what would be, the form says. */
export function planProblems(plan: BenchPlan): string[] {
  const out: string[] = [];
  if (plan.models.length === 0) out.push('choose at least one model');
  if (plan.scenarios.length === 0) out.push('choose at least one scenario');
  if (plan.providers.length === 0) out.push('choose at least one provider');
  if (plan.threads.length === 0) out.push('choose at least one thread count');
  if ((plan.scenarios.includes('offline') || plan.modes.includes('throughput')) && plan.batches.length === 0) out.push('choose at least one batch size');
  if (plan.scenarios.includes('line_rate') && plan.modes.length === 0) out.push('choose a mode for the line-rate scenario');
  return out;
}

export function PlanForm({ options, plan, onChange }: { options: BenchOptions; plan: BenchPlan; onChange: (p: BenchPlan) => void }) {
  const set = <K extends keyof BenchPlan>(k: K, v: BenchPlan[K]): void => onChange({ ...plan, [k]: v });
  const problems = planProblems(plan);
  const cases = problems.length === 0 ? expandPlan(plan).length : 0;
  const rate = plan.lineRateFps ?? options.lineRateFps;
  const problem = (p: string): string | undefined => options.providerProblems.find((x) => x.provider === p)?.reason;
  const providerLabel = (p: BenchOptions['providers'][number]): ReactNode => {
    const reason = problem(p);
    if (reason === undefined) return p.toUpperCase();
    return (
      <>
        {p.toUpperCase()}
        <span className="plan-provider-problem" data-testid={`plan-providers-${p}-problem`}>
          {' '}
          — did not load here: {reason}
        </span>
      </>
    );
  };
  return (
    <div className="plan-form" data-testid="plan-form">
      <h3>Models</h3>
      <Toggles
        name="models"
        items={options.models.map((m) => m.ref)}
        chosen={plan.models}
        label={(r) => options.models.find((m) => m.ref === r)?.label ?? r}
        onChange={(v) => set('models', v)}
      />
      <h3>Scenarios</h3>
      <Toggles name="scenarios" items={SCENARIOS} chosen={plan.scenarios} label={(s) => SCENARIO_WORDS[s]} onChange={(v) => set('scenarios', v)} />
      <div className="columns">
        <div>
          <h3>Execution providers</h3>
          <Toggles name="providers" items={options.providers} chosen={plan.providers} label={providerLabel} onChange={(v) => set('providers', v)} />
          <h3>Intra-op threads ({options.cores} cores here)</h3>
          <Toggles name="threads" items={options.threadChoices} chosen={plan.threads} label={String} onChange={(v) => set('threads', v)} />
        </div>
        <div>
          <h3>Batch sizes (offline, throughput mode)</h3>
          <Toggles name="batches" items={BATCHES} chosen={plan.batches} label={String} onChange={(v) => set('batches', v)} />
          <h3>Modes at the line’s rate</h3>
          <Toggles name="modes" items={MODES} chosen={plan.modes} label={String} onChange={(v) => set('modes', v)} />
        </div>
      </div>
      <div className="field-row">
        <label className="field">
          <span>Line rate (frames/s)</span>
          <input
            type="number"
            min={1}
            max={2000}
            value={rate}
            onChange={(e) => set('lineRateFps', Math.min(2000, Math.max(1, Number(e.target.value) || options.lineRateFps)))}
            data-testid="plan-rate"
          />
        </label>
        <label className="field">
          <span>Headroom (%)</span>
          <input
            type="number"
            min={0}
            max={90}
            value={Math.round(plan.headroom * 100)}
            onChange={(e) => set('headroom', Math.min(0.9, Math.max(0, Number(e.target.value) / 100)))}
          />
        </label>
        <div>
          <div className="field">
            <span>How long each case runs</span>
          </div>
          <div className="choice-row" role="radiogroup" aria-label="budget">
            {(Object.keys(BUDGETS) as BudgetName[]).map((b) => (
              <button
                type="button"
                key={b}
                role="radio"
                aria-checked={plan.budget === b}
                className={`button ${plan.budget === b ? 'button-selected' : ''}`}
                onClick={() => set('budget', b)}
                data-testid={`plan-budget-${b}`}
              >
                {b} ({BUDGETS[b].minMs / 1000} s, ≥ {BUDGETS[b].minFrames} frames)
              </button>
            ))}
          </div>
        </div>
      </div>
      <p className="muted" data-testid="plan-cases">
        {problems.length > 0
          ? problems.join('; ')
          : `${cases} case${cases === 1 ? '' : 's'}, each beside the bare onnxruntime-node floor; deadline ${options.deadlineMs} ms at ${rate} frames/s`}
      </p>
    </div>
  );
}
