/**
 * The live page in jsdom, driven through the same LineSightApi the preload
 * and the WebSocket provide, here an in-memory one the test controls.
 */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Inspection } from '../../src/shared/inspection';
import { App } from '../../src/renderer/src/App';
import { DecisionBadge } from '../../src/renderer/src/components/DecisionBadge';
import { plainFailSafeReason } from '../../src/shared/operator-words';
import type { ConnectionState } from '../../src/renderer/src/api/ws-api';
import { memoryApi, operatorSession, stationStatus } from './helpers/memory-api';

const item = (frameId: number, decision: Inspection['decision'], score: number): Inspection => ({
  frameId,
  capturedAt: '2026-01-01T00:00:01Z',
  origin: `replay:${frameId}.jpg`,
  decision,
  rejectScore: score,
  scores: { cherry_clean: 1 - score, cherry_pit: score },
  totalMs: 8.2,
  modelVersion: '1.0.0',
});

beforeEach(() => {
  window.location.hash = '#/live';
  let n = 0;
  globalThis.URL.createObjectURL = () => `blob:frame-${++n}`;
  globalThis.URL.revokeObjectURL = () => {};
});
afterEach(cleanup);

describe('live page', () => {
  it("shows the shift's and the last hour's counts, reject rates and the frame rate", async () => {
    const { api } = memoryApi(stationStatus());
    render(<App api={api} transport="websocket" />);
    expect(await screen.findByTestId('count-clean')).toHaveProperty('textContent', '70');
    expect(screen.getByTestId('count-pit').textContent).toBe('20');
    expect(screen.getByTestId('count-total').textContent).toBe('100');
    expect(screen.getByTestId('count-reject-rate').textContent).toBe('20.0%');
    expect(screen.getByTestId('hour-total').textContent).toBe('10');
    expect(screen.getByTestId('hour-fps').textContent).toBe('9.8');
    expect(screen.getByText('Shift 06:00–14:00')).toBeTruthy();
  });

  it('shows each new item with its decision as a word, and scores', async () => {
    const { api, emit } = memoryApi(stationStatus());
    render(<App api={api} transport="websocket" />);
    await screen.findByTestId('count-clean');
    await act(async () => emit('inspection', item(11, 'pit', 0.91)));
    // Under a full test run on two loaded cores the page may take seconds to show the item (a CI flake): wait long.
    const badge = await screen.findByTestId('decision', {}, { timeout: 15_000 });
    expect(badge.dataset['decision']).toBe('pit');
    expect(badge.textContent).toContain('PIT');
    expect(badge.textContent).toContain('rejected');
    expect(screen.getByTestId('scores').textContent).toContain('0.91');
    expect((await screen.findByTestId('frame-image', {}, { timeout: 15_000 })).getAttribute('src')).toMatch(/^blob:frame/);
  }, 40_000);

  it('keeps the latest rejects in a strip, newest first, and shows one large on a tap', async () => {
    const { api, emit } = memoryApi(stationStatus(), { getRecentRejects: () => [item(3, 'pit', 0.97)] });
    render(<App api={api} transport="websocket" />);
    await screen.findAllByTestId('reject-thumb');
    await act(async () => {
      emit('inspection', item(4, 'clean', 0.01));
      emit('inspection', item(5, 'pit', 0.88));
    });
    // New rejects join the strip together, at most once a second.
    await waitFor(() => expect(screen.getAllByTestId('reject-thumb')).toHaveLength(2));
    const thumbs = screen.getAllByTestId('reject-thumb');
    expect(thumbs.map((t) => t.getAttribute('aria-label'))).toEqual(['reject, frame 5', 'reject, frame 3']);
    fireEvent.click(thumbs[0]!);
    const enlarged = await screen.findByTestId('reject-enlarged');
    expect(within(enlarged).getByTestId('decision').dataset['decision']).toBe('pit');
    expect(within(enlarged).getByTestId('scores').textContent).toContain('0.88');
  });

  it('shows every standing alarm above the page, the fail-safe first', async () => {
    const status = stationStatus({
      alarms: [
        { id: 'upload:plant', kind: 'upload', severity: 'warning', message: 'upload failing', since: '2026-01-01T00:00:00Z' },
        { id: 'camera', kind: 'camera', severity: 'alarm', message: 'camera stalled: no frame for 3.1 s', since: '2026-01-01T00:00:05Z' },
      ],
      failSafe: { engaged: true, reasons: ['camera stalled: no frame for 3.1 s'], kinds: ['camera'] },
    });
    const { api } = memoryApi(status);
    render(<App api={api} transport="websocket" />);
    const banner = await screen.findByTestId('alarm-banner');
    const rows = [...banner.querySelectorAll('.alarm-row')].map((r) => r.getAttribute('data-testid'));
    expect(rows).toEqual(['alarm-failsafe', 'alarm-camera', 'alarm-upload']);
    expect(within(banner).getByTestId('alarm-camera').textContent).toContain('CAMERA');
    expect(within(banner).getByTestId('alarm-upload').textContent).toContain('(warning)');
  });
});

describe('connection to the station', () => {
  it('says when it is lost, and asks for its session again when it is back (a new connection starts as an operator)', async () => {
    let session = operatorSession({ role: 'technician', user: 'ana', expiresAt: '2026-01-01T01:00:00Z' });
    const { api, calls } = memoryApi(stationStatus(), { getSession: () => session });
    const listeners = new Set<(s: ConnectionState) => void>();
    const connection: { state: ConnectionState; onConnection: (l: (s: ConnectionState) => void) => () => void } = {
      state: 'open',
      onConnection: (l: (s: ConnectionState) => void) => (listeners.add(l), () => listeners.delete(l)),
    };
    render(<App api={api} transport="websocket" connection={connection} />);
    await waitFor(() => expect(screen.getByTestId('session').dataset['role']).toBe('technician'));
    const set = (state: ConnectionState): void => {
      connection.state = state;
      listeners.forEach((l) => l(state));
    };
    await act(async () => set('closed'));
    expect(screen.getByTestId('alarm-connection').textContent).toMatch(/No connection to the station/);
    session = operatorSession();
    await act(async () => set('open'));
    await waitFor(() => expect(screen.getByTestId('session').dataset['role']).toBe('operator'));
    expect(screen.queryByTestId('alarm-connection')).toBeNull();
    expect(calls.filter((c) => c.op === 'getSession')).toHaveLength(2);
  });
});

describe('DecisionBadge', () => {
  it('never relies on colour alone: word, icon and hint for every decision', () => {
    for (const [decision, word] of [
      ['clean', 'CLEAN'],
      ['maybe', 'MAYBE'],
      ['pit', 'PIT'],
    ] as const) {
      const { container, unmount } = render(<DecisionBadge decision={decision} />);
      expect(container.textContent).toContain(word);
      expect(container.querySelector('svg')).not.toBeNull();
      unmount();
    }
  });

  it('says why an item was rejected fail-safe in plain words, the technical reason a hover away', () => {
    const { unmount } = render(<DecisionBadge decision="pit" failSafeReason="decode failed: frame is not a readable image" />);
    expect(screen.getByTestId('decision').textContent).toContain('Rejected to be safe. Its picture could not be read.');
    expect(screen.getByTestId('decision').textContent).not.toMatch(/decode failed/);
    expect(screen.getByTitle('decode failed: frame is not a readable image')).toBeTruthy();
    unmount();
    const cases: [string, string][] = [
      ['late: decided 12 ms after the deadline', 'It was not judged in time.'],
      ['deadline failed: no decision within 150 ms of capture', 'It was not judged in time.'],
      ['stale failed: frame is 900 ms old (over 500 ms): not judged', 'Its picture came too late to judge.'],
      ['source failed: empty file', 'Its picture could not be read.'],
      ['inference failed: worker died', 'The model could not judge it.'],
      ['queue failed: dropped: the pipeline was busy', 'The station was too busy to judge it.'],
      ['line paused: benchmark by tech', 'The line is paused.'],
      ['decisions cannot be recorded: disk full (storage.whenFull: fail-safe)', 'The station cannot store its records.'],
      ['invalid score NaN', 'The model gave no usable answer.'],
      ['something new', 'The station could not vouch for it.'],
    ];
    for (const [reason, words] of cases) expect(plainFailSafeReason(reason), reason).toBe(words);
  });
});
