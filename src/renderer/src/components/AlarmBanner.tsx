/**
 * What is wrong now, across the top of every page, for an operator two
 * metres away: the fail-safe first (every item is being rejected), then each
 * standing alarm, the worst first, with a word for its kind and an icon, not
 * colour alone. Nothing when all is well; a lost connection is itself an alarm.
 *
 * Each alarm is said in plain words with what to do (shared/operator-words.ts),
 * or with its note instead where it has one (the demo's simulated fault is not
 * a reason to call anyone);
 * its technical message ("connect ECONNREFUSED …") is for a technician, on
 * Diagnostics, one tap away through "details".
 */
import type { Alarm, AlarmKind } from '../../../shared/alarms';
import { alarmTodo, plainAlarm, rejectingAll } from '../../../shared/operator-words';
import type { StationStatus } from '../../../shared/status';
import { StopIcon, WarningIcon } from './Icons';

const KIND_WORD: Record<AlarmKind, string> = {
  camera: 'CAMERA',
  model: 'MODEL',
  provider: 'MODEL ON CPU',
  sensor: 'SENSOR',
  health: 'MACHINE HEALTH',
  storage: 'STORAGE',
  upload: 'UPLOAD',
  line: 'LINE',
  drift: 'DRIFT',
  picture: 'CAMERA PICTURE',
  ejector: 'EJECTOR',
};

/** Where a technician finds the technical detail of every alarm. */
export const ALARM_DETAILS_HREF = '#/diagnostics';

/** Alarms before warnings; within each, the oldest first (it has waited longest). */
export function orderAlarms(alarms: readonly Alarm[]): Alarm[] {
  const rank = (a: Alarm): number => (a.severity === 'alarm' ? 0 : 1);
  return [...alarms].sort((a, b) => rank(a) - rank(b) || a.since.localeCompare(b.since));
}

function since(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function AlarmBanner({
  alarms,
  failSafe,
  connectionLost,
  showDetails = true,
}: {
  alarms: readonly Alarm[];
  failSafe: StationStatus['failSafe'];
  connectionLost: boolean;
  /** The "details" link to Diagnostics; left out on Diagnostics itself, which shows them. */
  showDetails?: boolean;
}) {
  const ordered = orderAlarms(alarms);
  if (!connectionLost && !failSafe.engaged && ordered.length === 0) return null;
  const details = showDetails && (
    <a className="alarm-details" href={ALARM_DETAILS_HREF} data-testid="alarm-details">
      details
    </a>
  );
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
          <span className="alarm-kind">REJECTING ALL</span>
          <span className="alarm-message">Every item is being rejected. {rejectingAll(failSafe.kinds).todo}</span>
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
          <span className="alarm-message">
            {plainAlarm(a)}{' '}
            {a.note ? (
              <span className="alarm-note" data-testid="alarm-note">
                {a.note}
              </span>
            ) : (
              alarmTodo(a.kind)
            )}
          </span>
          <span className="alarm-since">since {since(a.since)}</span>
          {details}
        </div>
      ))}
    </div>
  );
}
