/**
 * Issue 12, the demo that cried wolf: the event log on Diagnostics is
 * filtered by kind through the station (the newest of the kinds chosen),
 * and an alarm with a note (the demo's simulated fault) says so on the
 * banner instead of telling the operator to call a technician.
 */
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { StationEvent } from '../../src/shared/alarms';
import { AlarmBanner } from '../../src/renderer/src/components/AlarmBanner';
import { EventsPanel } from '../../src/renderer/src/components/EventsPanel';
import { memoryApi, stationStatus } from './helpers/memory-api';

const LOG: StationEvent[] = [
  ...Array.from({ length: 40 }, (_, i): StationEvent => ({
    seq: 100 - i,
    at: '2026-12-06T10:00:00Z',
    kind: 'health',
    severity: 'info',
    message: `health ${i}`,
  })),
  { seq: 10, at: '2026-12-06T09:00:00Z', kind: 'auth', severity: 'warning', message: 'tech-anna locked out for 60 s' },
  { seq: 9, at: '2026-12-06T09:00:00Z', kind: 'auth', severity: 'info', message: 'tech-anna signed in' },
];

afterEach(cleanup);

describe('events on Diagnostics, filtered by kind', () => {
  it('asks the station for the kinds chosen and shows the sign-ins a chatty kind had pushed away', async () => {
    const { api, calls } = memoryApi(stationStatus(), {
      getEvents: ({ limit, kinds }) => LOG.filter((e) => !kinds || kinds.includes(e.kind)).slice(0, limit),
    });
    // The panel as Diagnostics shows it (its charts need a canvas jsdom lacks; the Chromium layout test opens the page).
    render(<EventsPanel api={api} />);
    const table = await screen.findByTestId('events-table');
    await waitFor(() => expect(table.querySelectorAll('tr')).toHaveLength(30));
    expect(table.textContent).not.toMatch(/tech-anna/);
    expect(screen.getByTestId('event-filter-all').getAttribute('aria-pressed')).toBe('true');

    await act(async () => fireEvent.click(screen.getByTestId('event-filter-auth')));
    await waitFor(() => expect(table.querySelectorAll('tr')).toHaveLength(2));
    expect([...table.querySelectorAll('tr')].map((r) => r.textContent)).toEqual([
      expect.stringMatching(/sign-ins.*tech-anna locked out for 60 s/),
      expect.stringMatching(/sign-ins.*tech-anna signed in/),
    ]);
    expect(screen.getByTestId('event-filter-auth').getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByTestId('event-filter-all').getAttribute('aria-pressed')).toBe('false');
    expect(calls.filter((c) => c.op === 'getEvents').at(-1)?.request).toEqual({ limit: 30, kinds: ['auth'] });

    // A kind with nothing in it says so; "all" brings every kind back.
    await act(async () => fireEvent.click(screen.getByTestId('event-filter-auth')));
    await act(async () => fireEvent.click(screen.getByTestId('event-filter-upload')));
    await waitFor(() => expect(table.textContent).toBe('No events of these kinds yet.'));
    await act(async () => fireEvent.click(screen.getByTestId('event-filter-all')));
    await waitFor(() => expect(table.querySelectorAll('tr')).toHaveLength(30));
    expect(calls.filter((c) => c.op === 'getEvents').at(-1)?.request).toEqual({ limit: 30 });
  });
});

describe('an alarm with a note', () => {
  it("says the demo's note in place of calling a technician, and an alarm without one still says what to do", () => {
    render(
      <AlarmBanner
        alarms={[
          {
            id: 'health',
            kind: 'health',
            severity: 'alarm',
            message: 'machine health: high risk (risk 0.99)',
            note: 'Demo: simulated bearing wear (announced at 10:04:00), not a real fault.',
            since: '2026-12-06T10:05:00Z',
          },
          { id: 'camera', kind: 'camera', severity: 'alarm', message: 'camera down: ECONNREFUSED', since: '2026-12-06T10:06:00Z' },
        ]}
        failSafe={{ engaged: false, reasons: [], kinds: [] }}
        connectionLost={false}
      />,
    );
    const health = screen.getByTestId('alarm-health');
    expect(health.textContent).toMatch(
      /The machine is at high risk of a breakdown\. Demo: simulated bearing wear \(announced at 10:04:00\), not a real fault\./,
    );
    expect(health.textContent).not.toMatch(/Call a technician/);
    expect(screen.getByTestId('alarm-camera').textContent).toMatch(/The camera is not sending pictures\. Call a technician\./);
  });
});
