/**
 * The thresholds page with the what-if panel, and the forms around a change:
 * the PIN pad, the sign-in dialog with the station's refusals, the reason.
 */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Thresholds } from '../../src/shared/manifest';
import type { SessionInfo } from '../../src/shared/session';
import { whatIf, scoreHistogram, type ScoreSample } from '../../src/shared/what-if';
import { App } from '../../src/renderer/src/App';
import { ReasonDialog } from '../../src/renderer/src/components/ReasonDialog';
import { WhatIfPanel } from '../../src/renderer/src/components/WhatIfPanel';
import { adjustThresholds, suggestReasons } from '../../src/renderer/src/pages/ThresholdsPage';
import { SignInDialog } from '../../src/renderer/src/components/SignInDialog';
import { memoryApi, operatorSession, stationStatus } from './helpers/memory-api';

const sample = (scores: number[], decisions: ScoreSample['decisions'], extra: Partial<ScoreSample> = {}): ScoreSample => ({
  model: { name: 'demo-cherry', version: '1.0.0' },
  scores,
  decisions,
  failSafe: 0,
  otherModels: 0,
  from: '2026-01-01T00:00:00Z',
  to: '2026-01-01T00:10:00Z',
  thresholds: { pit: 0.75, maybe: 0.5 },
  ...extra,
});

beforeEach(() => {
  window.location.hash = '#/thresholds';
});
afterEach(cleanup);

describe('whatIf', () => {
  const s = sample([0.1, 0.55, 0.6, 0.8, 0.95, 0.74], ['clean', 'maybe', 'maybe', 'pit', 'pit', 'maybe']);

  it('counts nothing when the thresholds are the ones the items were decided with', () => {
    expect(whatIf(s, { pit: 0.75, maybe: 0.5 }).changed).toBe(0);
  });

  it('counts each item whose decision would differ, by direction', () => {
    const w = whatIf(s, { pit: 0.7, maybe: 0.58 });
    // 0.55 maybe→clean, 0.74 maybe→pit; 0.6 stays maybe; 0.8 and 0.95 stay pit.
    expect(w.changed).toBe(2);
    expect(w.transitions['maybe→clean']).toBe(1);
    expect(w.transitions['maybe→pit']).toBe(1);
    expect(w.newlyReleased).toBe(1);
    expect(w.newlyRejected).toBe(1);
    expect(w.after).toEqual({ clean: 2, maybe: 1, pit: 3 });
    expect(w.before).toEqual({ clean: 1, maybe: 3, pit: 2 });
  });

  it('bins scores over 0..1, a score of exactly 1 in the last bin', () => {
    expect(scoreHistogram([0, 0.05, 0.5, 0.99, 1], 10)).toEqual([2, 0, 0, 0, 0, 1, 0, 0, 0, 2]);
  });
});

describe('adjustThresholds', () => {
  it('keeps maybe at or below pit whichever slider moves', () => {
    expect(adjustThresholds({ pit: 0.75, maybe: 0.5 }, 'pit', 0.4)).toEqual({ pit: 0.4, maybe: 0.4 });
    expect(adjustThresholds({ pit: 0.75, maybe: 0.5 }, 'maybe', 0.9)).toEqual({ pit: 0.9, maybe: 0.9 });
    expect(adjustThresholds({ pit: 0.75, maybe: 0.5 }, 'pit', 0.8)).toEqual({ pit: 0.8, maybe: 0.5 });
  });
});

describe('WhatIfPanel', () => {
  it('shows the change count and marks released items as the risk they are', () => {
    const s = sample([0.8, 0.9, 0.2], ['pit', 'pit', 'clean'], { failSafe: 4 });
    render(<WhatIfPanel sample={s} proposed={{ pit: 0.85, maybe: 0.85 }} />);
    expect(screen.getByTestId('whatif-changed').textContent).toBe('1');
    expect(screen.getByTestId('whatif-items').textContent).toBe('3');
    expect(screen.getByTestId('whatif-released').textContent).toBe('1');
    expect(screen.getByTestId('whatif-released').closest('tr')?.className).toContain('whatif-danger');
    expect(screen.getByText(/4 items rejected fail-safe/)).toBeTruthy();
    // The proposed thresholds are drawn solid, those in force dashed.
    expect(screen.getByTestId('hist-proposed-pit').getAttribute('stroke-dasharray')).toBeNull();
    expect(screen.getByTestId('hist-current-pit').getAttribute('stroke-dasharray')).toBe('6 5');
  });
});

describe('thresholds page', () => {
  const scores = [0.1, 0.3, 0.55, 0.62, 0.7, 0.76, 0.8, 0.99];
  const decisions: ScoreSample['decisions'] = ['clean', 'clean', 'maybe', 'maybe', 'maybe', 'pit', 'pit', 'pit'];

  function setup() {
    let session: SessionInfo = operatorSession();
    let thresholds: Thresholds = { pit: 0.75, maybe: 0.5 };
    const pins: string[] = [];
    const memory = memoryApi(stationStatus(), {
      getScoreSample: () => sample(scores, decisions, { thresholds }),
      getSession: () => session,
      signIn: ({ name, pin }) => {
        pins.push(pin);
        if (pin !== '4321') throw new Error('wrong PIN: 4 tries left before sign-in is locked');
        session = { ...session, role: 'technician', user: name, expiresAt: '2026-01-01T01:00:00Z' };
        return session;
      },
      setThresholds: ({ thresholds: t }) => {
        if (session.role !== 'technician') throw new Error('setThresholds needs a technician');
        thresholds = t;
        return t;
      },
    });
    return { ...memory, pins };
  }

  it('recounts the what-if as the slider moves, before anything is applied', async () => {
    const { api, calls } = setup();
    render(<App api={api} transport="websocket" />);
    expect((await screen.findByTestId('whatif-changed')).textContent).toBe('0');
    fireEvent.change(screen.getByTestId('slider-pit'), { target: { value: '0.69' } });
    // 0.7 maybe→pit; nothing else moves.
    expect(screen.getByTestId('whatif-changed').textContent).toBe('1');
    expect(screen.getByTestId('value-pit').textContent).toBe('0.69');
    fireEvent.click(screen.getByRole('button', { name: 'raise Maybe: divert at or above' }));
    expect(screen.getByTestId('value-maybe').textContent).toBe('0.51');
    expect(calls.filter((c) => c.op === 'setThresholds')).toHaveLength(0);
  });

  it('asks an operator for a technician PIN, shows the refusal, then applies with a reason', async () => {
    const { api, calls, pins } = setup();
    render(<App api={api} transport="websocket" />);
    await screen.findByTestId('whatif-changed');
    fireEvent.change(screen.getByTestId('slider-pit'), { target: { value: '0.6' } });
    fireEvent.click(screen.getByTestId('apply-thresholds'));
    const dialog = await screen.findByTestId('sign-in');
    for (const d of '1111') fireEvent.click(within(dialog).getByTestId(`pin-${d}`));
    expect(within(dialog).getByTestId('pin-dots').textContent).toBe('●●●●');
    fireEvent.click(within(dialog).getByTestId('sign-in-submit'));
    expect((await within(dialog).findByTestId('sign-in-error')).textContent).toBe('wrong PIN: 4 tries left before sign-in is locked');
    expect(within(dialog).getByTestId('pin-dots').textContent).toBe('enter your PIN');
    for (const d of '4321') fireEvent.click(within(dialog).getByTestId(`pin-${d}`));
    fireEvent.click(within(dialog).getByTestId('sign-in-submit'));
    const reason = await screen.findByTestId('reason-dialog');
    expect(reason.textContent).toContain('Pit 0.75 → 0.60');
    fireEvent.click(within(reason).getByTestId('reason-confirm'));
    expect((await within(reason).findByTestId('reason-error')).textContent).toContain('say why');
    fireEvent.change(within(reason).getByTestId('reason-input'), { target: { value: 'pits missed on lot 7' } });
    await act(async () => fireEvent.click(within(reason).getByTestId('reason-confirm')));
    await waitFor(() => expect(screen.getByTestId('applied').textContent).toBe('Applied: pit ≥ 0.60, maybe ≥ 0.50.'));
    expect(pins).toEqual(['1111', '4321']);
    expect(calls.find((c) => c.op === 'setThresholds')?.request).toEqual({ thresholds: { pit: 0.6, maybe: 0.5 }, reason: 'pits missed on lot 7' });
    expect((await screen.findByTestId('session')).dataset['role']).toBe('technician');
  });

  it('applies nothing when the technician cancels the sign-in', async () => {
    const { api, calls } = setup();
    render(<App api={api} transport="websocket" />);
    await screen.findByTestId('whatif-changed');
    fireEvent.change(screen.getByTestId('slider-maybe'), { target: { value: '0.3' } });
    fireEvent.click(screen.getByTestId('apply-thresholds'));
    fireEvent.click(within(await screen.findByTestId('sign-in')).getByText('Cancel'));
    expect(screen.queryByTestId('sign-in')).toBeNull();
    expect(screen.queryByTestId('reason-dialog')).toBeNull();
    expect(calls.filter((c) => c.op === 'setThresholds' || c.op === 'signIn')).toHaveLength(0);
  });
});

describe('reasons offered for a change', () => {
  const now = { pit: 0.75, maybe: 0.5 };

  it('follow its direction: a lower pit threshold rejects more, a higher one fewer', () => {
    expect(suggestReasons(now, { pit: 0.7, maybe: 0.5 })).toEqual(['Pits were getting through', 'Calibrated on a labelled set', 'New variety or lot']);
    expect(suggestReasons(now, { pit: 0.8, maybe: 0.5 })).toEqual(['Too many good cherries rejected', 'Calibrated on a labelled set', 'New variety or lot']);
    expect(suggestReasons(now, { pit: 0.75, maybe: 0.4 })).toEqual([
      'Doubtful cherries were getting through',
      'Calibrated on a labelled set',
      'New variety or lot',
    ]);
    expect(suggestReasons(now, { pit: 0.75, maybe: 0.6 })).toEqual([
      'Too many cherries sent for a second look',
      'Calibrated on a labelled set',
      'New variety or lot',
    ]);
  });

  it('are what the reason dialog offers when the pit threshold is lowered, and raised', async () => {
    const technician = operatorSession({ role: 'technician', user: 'technician', expiresAt: '2026-01-01T01:00:00Z' });
    const { api } = memoryApi(stationStatus(), { getScoreSample: () => sample([0.2, 0.8], ['clean', 'pit']), getSession: () => technician });
    render(<App api={api} transport="websocket" />);
    await screen.findByTestId('whatif-changed');
    // Nothing moved yet: Apply is off and says why.
    expect((screen.getByTestId('apply-thresholds') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('apply-why').textContent).toBe('These are the thresholds in force: move a slider to propose others.');
    fireEvent.change(screen.getByTestId('slider-pit'), { target: { value: '0.6' } });
    await act(async () => fireEvent.click(screen.getByTestId('apply-thresholds')));
    let dialog = await screen.findByTestId('reason-dialog');
    expect(within(dialog).queryByText('Too many good cherries rejected')).toBeNull();
    expect(within(dialog).getByText('Pits were getting through')).toBeTruthy();
    fireEvent.click(within(dialog).getByText('Cancel'));
    fireEvent.change(screen.getByTestId('slider-pit'), { target: { value: '0.9' } });
    await act(async () => fireEvent.click(screen.getByTestId('apply-thresholds')));
    dialog = await screen.findByTestId('reason-dialog');
    expect(within(dialog).getByText('Too many good cherries rejected')).toBeTruthy();
    expect(within(dialog).queryByText('Pits were getting through')).toBeNull();
  });
});

describe('sign-in lock-out', () => {
  afterEach(() => vi.useRealTimers());

  it('counts down each second with the PIN pad off, says until when, then turns the pad on again', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(new Date('2026-01-01T10:00:00Z'));
    const locked = operatorSession({ signInLocks: [{ name: 'technician', until: '2026-01-01T10:00:03Z', remainingMs: 3000 }] });
    let session = locked;
    const { api } = memoryApi(stationStatus(), { getSession: () => session });
    render(<SignInDialog api={api} session={locked} onSignedIn={() => {}} onCancel={() => {}} />);
    await act(async () => {});
    const banner = (): HTMLElement => screen.getByTestId('sign-in-locked');
    expect(banner().textContent).toMatch(/^Sign-in for technician is locked after too many wrong PINs\. Try again in 3 s \(at .+\)\.$/);
    expect((screen.getByTestId('pin-1') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('pin-1').title).toBe(banner().textContent);
    expect((screen.getByTestId('sign-in-submit') as HTMLButtonElement).disabled).toBe(true);
    await act(async () => vi.advanceTimersByTime(1000));
    expect(banner().dataset['seconds']).toBe('2');
    expect(banner().textContent).toContain('Try again in 2 s');
    await act(async () => vi.advanceTimersByTime(1000));
    expect(banner().textContent).toContain('Try again in 1 s');
    session = operatorSession();
    await act(async () => vi.advanceTimersByTime(1000));
    expect(screen.queryByTestId('sign-in-locked')).toBeNull();
    expect((screen.getByTestId('pin-1') as HTMLButtonElement).disabled).toBe(false);
  });
});

describe('ReasonDialog', () => {
  it('offers reasons to tap, and keeps the dialog open with the station refusal', async () => {
    const seen: string[] = [];
    render(
      <ReasonDialog
        title="t"
        summary="s"
        suggestions={['Trial']}
        confirmLabel="Go"
        onCancel={() => {}}
        onConfirm={async (r) => {
          seen.push(r);
          throw new Error('the station is stopping');
        }}
      />,
    );
    fireEvent.click(screen.getByText('Trial'));
    await act(async () => fireEvent.click(screen.getByTestId('reason-confirm')));
    expect(seen).toEqual(['Trial']);
    expect(screen.getByTestId('reason-error').textContent).toBe('the station is stopping');
  });
});
