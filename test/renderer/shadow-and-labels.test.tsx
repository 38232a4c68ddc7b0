/**
 * Issue 16 in the UI: the shadow trial panel on the Models page (figures as they arrive, promote with a reason),
 * labels from people on the reject strip, and the audit trail's words for labels and trials.
 */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/renderer/src/App';
import { describeAuditValue } from '../../src/renderer/src/audit-words';
import { rateWords } from '../../src/renderer/src/components/ShadowTrialPanel';
import type { Capture } from '../../src/shared/capture';
import type { ShadowTrial } from '../../src/shared/shadow';
import { memoryApi, modelRecord, operatorSession, stationStatus } from './helpers/memory-api';

afterEach(cleanup);

const record = modelRecord;

const rate = (count: number, n: number) => ({ count, rate: count / n, low: 0, high: 0.5 });
const trial = (state: ShadowTrial['state'], compared: number): ShadowTrial => ({
  id: 4,
  candidate: { id: 2, name: 'demo-cherry', version: '2.0.0' },
  live: { name: 'demo-cherry', version: '1.0.0' },
  thresholds: { pit: 0.7, maybe: 0.4 },
  state,
  startedAt: '2026-01-01T00:00:00Z',
  endedAt: state === 'running' ? null : '2026-01-01T00:10:00Z',
  endedBecause: state === 'running' ? null : '100 items compared',
  stopAt: { items: 100, until: '2026-01-01T01:00:00Z' },
  share: 1,
  startedBy: 'ana (desktop)',
  decidedBy: null,
  decidedReason: null,
  figures: {
    seen: compared + 5,
    offered: compared,
    compared,
    notCompared: 0,
    agreement: rate(compared - 3, compared),
    kappa: 0.912,
    liveRejectsCandidatePasses: rate(1, compared),
    candidateRejectsLivePasses: rate(2, compared),
    divertVersusReject: 0,
    matrix: [
      [compared - 10, 1, 1],
      [1, 3, 0],
      [0, 0, 4],
    ],
  },
  kept: 3,
});

describe('the shadow trial panel', () => {
  it('shows the figures as they arrive and promotes the candidate with a reason once the trial is over', async () => {
    const technician = operatorSession({ role: 'technician', user: 'ana', expiresAt: '2026-01-01T01:00:00Z' });
    const memory = memoryApi(stationStatus(), {
      getSession: () => technician,
      listModels: () => [record(1, '1.0.0', true), record(2, '2.0.0', false)],
      getModelHistory: () => [],
      listImportCandidates: () => ({ roots: [], candidates: [], unreadable: [] }),
      getShadowTrial: () => trial('running', 40),
      listCaptures: () => [],
      promoteShadowCandidate: () => record(2, '2.0.0', true),
    });
    window.location.hash = '#/models';
    render(<App api={memory.api} transport="websocket" />);
    await waitFor(() => expect(screen.getByTestId('shadow-compared').textContent).toMatch(/^40 of 100/));
    expect(screen.getByTestId('shadow-kappa').textContent).toBe('0.912');
    expect(screen.getByTestId('shadow-missed').textContent).toBe('1 (2.5 %; 95 %: 0.0 %–50.0 %)');
    expect(screen.queryByTestId('shadow-promote')).toBeNull();
    // The station says it is over: promote and discard appear.
    act(() => memory.emit('shadowProgress', trial('finished', 100)));
    await waitFor(() => expect(screen.getByTestId('shadow-state').textContent).toBe('finished: promote or discard it'));
    fireEvent.click(screen.getByTestId('shadow-promote'));
    const dialog = await screen.findByTestId('reason-dialog');
    expect(dialog.textContent).toContain('it would have passed 1 items the running model held back');
    fireEvent.change(within(dialog).getByTestId('reason-input'), { target: { value: 'better on stalks' } });
    await act(async () => fireEvent.click(within(dialog).getByTestId('reason-confirm')));
    expect(memory.calls.find((c) => c.op === 'promoteShadowCandidate')?.request).toEqual({ trialId: 4, reason: 'better on stalks' });
  });

  it('says a rate with its interval', () => {
    expect(rateWords({ count: 3, rate: 0.03, low: 0.0062, high: 0.0852 })).toBe('3 (3.0 %; 95 %: 0.6 %–8.5 %)');
  });
});

describe('labels from people', () => {
  it('labels an item on the reject strip as really defective, as an operator', async () => {
    const reject = {
      frameId: 12,
      capturedAt: '2026-01-01T00:00:00Z',
      origin: 'cam',
      decision: 'pit' as const,
      rejectScore: 0.91,
      scores: { cherry_clean: 0.09, cherry_pit: 0.91 },
      totalMs: 5,
      modelVersion: '1.0.0',
    };
    const labelled: Capture = {
      ...{ id: 7, at: reject.capturedAt, frameId: 12, reason: 'person', model: { name: 'demo-cherry', version: '1.0.0' }, decision: 'pit', rejectScore: 0.91 },
      ...{ inspectionSeq: null, trialId: null, disagreement: null, candidate: null, label: 'defective', labelledBy: 'operator', labelledAt: reject.capturedAt },
    };
    const memory = memoryApi(stationStatus(), {
      getRecentRejects: () => [reject],
      getRecentInspections: () => [reject],
      getFrameImage: () => ({ frameId: 12, jpeg: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]) }),
      labelItem: () => labelled,
    });
    window.location.hash = '#/live';
    render(<App api={memory.api} transport="websocket" />);
    fireEvent.click(await screen.findByTestId('reject-thumb'));
    const enlarged = await screen.findByTestId('reject-enlarged');
    await act(async () => fireEvent.click(await within(enlarged).findByTestId('label-defective')));
    expect((await within(enlarged).findByTestId('label-saved')).textContent).toBe('Labelled really defective.');
    expect(memory.calls.find((c) => c.op === 'labelItem')?.request).toEqual({ target: { kind: 'frame', frameId: 12 }, label: 'defective' });
  });

  it('writes labels and trials in the audit trail in words', () => {
    expect(describeAuditValue('label', { capture: 7, label: 'defective', frameId: 12, decision: 'clean', rejectScore: 0.12 })).toBe(
      'capture 7 (frame 12): really defective; the model said clean, 0.120',
    );
    expect(describeAuditValue('label', { label: null, by: null })).toBe('no label');
    expect(describeAuditValue('shadow', { action: 'promote', trial: 4, model: { name: 'm', version: '2' } })).toBe('trial 4 of m 2: promoted to the line');
  });
});
