/**
 * The station's recent events on Diagnostics, filterable by kind (issue 12):
 * a chatty kind (a demo's health episodes, an upload target that comes and
 * goes) must not push sign-ins and lock-outs out of sight. The filter asks
 * the station for the kinds chosen, so the 30 shown are the newest of those.
 */
import { useEffect, useState } from 'react';
import { EVENT_KIND_WORDS, EVENT_KINDS, type StationEvent } from '../../../shared/alarms';
import type { LineSightApi } from '../../../shared/contract';
import { formatTime } from '../format';

const SHOWN = 30;
const REFRESH_MS = 5000;

export function EventsPanel({ api }: { api: LineSightApi }) {
  const [events, setEvents] = useState<StationEvent[]>([]);
  const [kinds, setKinds] = useState<readonly string[]>([]);
  useEffect(() => {
    let current = true;
    const load = (): void =>
      void api.getEvents({ limit: SHOWN, ...(kinds.length > 0 ? { kinds: [...kinds] } : {}) }).then(
        (e) => current && setEvents(e),
        () => {},
      );
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [api, kinds]);

  const toggle = (kind: string): void => setKinds((k) => (k.includes(kind) ? k.filter((x) => x !== kind) : [...k, kind]));
  return (
    <section className="panel">
      <h3>Recent events</h3>
      <div className="event-filter" role="group" aria-label="show events of" data-testid="event-filter">
        <button type="button" className="chip" aria-pressed={kinds.length === 0} onClick={() => setKinds([])} data-testid="event-filter-all">
          all
        </button>
        {EVENT_KINDS.map((kind) => (
          <button
            key={kind}
            type="button"
            className="chip"
            aria-pressed={kinds.includes(kind)}
            onClick={() => toggle(kind)}
            data-testid={`event-filter-${kind}`}
          >
            {EVENT_KIND_WORDS[kind]}
          </button>
        ))}
      </div>
      <table className="table" data-testid="events-table">
        <tbody>
          {events.map((e) => (
            <tr key={e.seq} className={`event-${e.severity}`} data-kind={e.kind}>
              <td>{formatTime(e.at)}</td>
              <td>{EVENT_KIND_WORDS[e.kind] ?? e.kind}</td>
              <td>{e.message}</td>
            </tr>
          ))}
          {events.length === 0 && (
            <tr>
              <td className="muted" colSpan={3}>
                {kinds.length > 0 ? 'No events of these kinds yet.' : 'No events yet.'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
