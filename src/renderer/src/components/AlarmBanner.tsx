/**
 * What is wrong now, across the top of every page, for an operator two
 * metres away: the fail-safe first (every item is being rejected), then each
 * standing alarm, the worst first, with a word for its kind and an icon, not
 * colour alone. Nothing when all is well; a lost connection is itself an alarm.
 */
import type { Alarm, AlarmKind } from '../../../shared/alarms';
import type { StationStatus } from '../../../shared/status';
import { StopIcon, WarningIcon } from './Icons';

const KIND_WORD: Record<AlarmKind, string> = {
  camera: 'CAMERA',
  model: 'MODEL',
  sensor: 'SENSOR',
  health: 'MACHINE HEALTH',
  storage: 'STORAGE',
  upload: 'UPLOAD',
  line: 'LINE',
};

/** Alarms before warnings; within each, the oldest first (it has waited longest). */
export function orderAlarms(alarms: readonly Alarm[]): Alarm[] {
  const rank = (a: Alarm): number => (a.severity === 'alarm' ? 0 : 1);
  return [...alarms].sort((a, b) => rank(a) - rank(b) || a.since.localeCompare(b.since));
}

function since(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function AlarmBanner({ alarms, failSafe, connectionLost }: { alarms: readonly Alarm[]; failSafe: StationStatus['failSafe']; connectionLost: boolean }) {
  const ordered = orderAlarms(alarms);
  if (!connectionLost && !failSafe.engaged && ordered.length === 0) return null;
  return (
    <div className="alarm-banner" role="alert" aria-live="assertive" data-testid="alarm-banner">
      {connectionLost && (
        <div className="alarm-row alarm-severity-alarm" data-testid="alarm-connection">
          <span className="alarm-icon">
            <WarningIcon />
          </span>
          <span className="alarm-kind">CONNECTION</span>
          <span className="alarm-message">No connection to the station: reconnecting. What this page shows may be out of date.</span>
        </div>
      )}
      {failSafe.engaged && (
        <div className="alarm-row alarm-severity-alarm alarm-failsafe" data-testid="alarm-failsafe">
          <span className="alarm-icon">
            <StopIcon />
          </span>
          <span className="alarm-kind">FAIL-SAFE</span>
          <span className="alarm-message">Every item is being rejected: {failSafe.reasons.join('; ')}</span>
        </div>
      )}
      {ordered.map((a) => (
        <div className={`alarm-row alarm-severity-${a.severity}`} key={a.id} data-testid={`alarm-${a.kind}`} data-severity={a.severity}>
          <span className="alarm-icon">
            <WarningIcon />
          </span>
          <span className="alarm-kind">
            {KIND_WORD[a.kind]}
            {a.severity === 'warning' ? ' (warning)' : ''}
          </span>
          <span className="alarm-message">{a.message}</span>
          <span className="alarm-since">since {since(a.since)}</span>
        </div>
      ))}
    </div>
  );
}
