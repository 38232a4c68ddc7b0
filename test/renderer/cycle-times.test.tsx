/**
 * Issue 17: each PLC trigger's times by stage, as Diagnostics draws them
 * (src/renderer/src/components/CycleTimesChart.tsx), from the figures the
 * engine keeps (src/engine/plc/cycle-times.ts) — bucketed there, drawn here.
 */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CycleTimesChart } from '../../src/renderer/src/components/CycleTimesChart';
import { CycleTimes, stagesOf, type ItemCycle } from '../../src/engine/plc/cycle-times';

afterEach(cleanup);

const cycle = (triggerId: number, frameMs: number | null, decisionMs: number, commandMs: number, confirmMs: number | null): ItemCycle => {
  const triggeredAt = 1_000_000;
  const frameAt = frameMs === null ? null : triggeredAt + frameMs;
  const decidedAt = (frameAt ?? triggeredAt) + decisionMs;
  const shownAt = decidedAt + commandMs;
  return {
    ...{ triggerId, itemId: triggerId, decision: confirmMs === null ? 'clean' : 'pit', errorCode: frameMs === null ? 1 : 0 },
    ...{
      triggeredAt,
      frameAt,
      decidedAt,
      shownAt,
      confirmedAt: confirmMs === null ? null : shownAt + confirmMs,
      ending: confirmMs === null ? 'shown' : 'confirmed',
    },
  };
};

describe('PLC cycle times', () => {
  it('splits each trigger into its stages, null where a stage did not happen', () => {
    expect(stagesOf(cycle(1, 3, 7, 0, 120))).toEqual({ frame: 3, decision: 7, command: 0, confirm: 120, total: 10 });
    expect(stagesOf(cycle(2, null, 1, 4, null))).toEqual({ frame: null, decision: null, command: 4, confirm: null, total: 5 });
  });

  it('buckets the latest items of each stage, with p50 / p99, and Diagnostics draws one row a stage', () => {
    const times = new CycleTimes();
    for (let i = 0; i < 90; i++) times.record(cycle(i, 1, 4, 0, null));
    for (let i = 90; i < 100; i++) times.record(cycle(i, 1, 40, 0, 300));
    const f = times.figures();
    const decision = f.stages.find((s) => s.stage === 'decision')!;
    expect(decision.n).toBe(100);
    // 4 ms falls in the bucket up to 5 ms, 40 ms in the one up to 50 ms.
    expect(decision.counts[f.edgesMs.indexOf(5)]).toBe(90);
    expect(decision.counts[f.edgesMs.indexOf(50)]).toBe(10);
    expect(decision.p50).toBe(4);
    expect(f.stages.find((s) => s.stage === 'confirm')).toMatchObject({ n: 10, p50: 300 });

    render(<CycleTimesChart times={f} />);
    const row = screen.getByTestId('cycle-stage-decision');
    expect(row.textContent).toMatch(/frame → decision.*p50 4 ms/);
    const bars = [...row.querySelectorAll('rect')].filter((r) => Number(r.getAttribute('height')) > 0);
    expect(bars.map((b) => b.querySelector('title')!.textContent)).toEqual(['up to 5 ms: 90 items', 'up to 50 ms: 10 items']);
    expect(screen.getByTestId('cycle-stage-confirm').textContent).toMatch(/ejector confirms.*p50 300 ms/);
  });

  it('keeps only the latest 1,000 of a stage', () => {
    const times = new CycleTimes();
    for (let i = 0; i < 1500; i++) times.record(cycle(i, i < 500 ? 900 : 1, 1, 0, null));
    const frame = times.figures().stages.find((s) => s.stage === 'frame')!;
    expect(frame.n).toBe(1000);
    expect(frame.p99).toBe(1);
  });
});
