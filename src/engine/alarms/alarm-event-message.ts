/**
 * What the event log says when an alarm is raised, changes or clears. A
 * clear used to read "cleared: machine health: at risk", which people read
 * as the machine being at risk (issue 12): it now leads with what is true
 * now, then how long the alarm stood and what it had said. Pure.
 */
import { ALARM_CLEARED, type AlarmChange } from '../../shared/alarms';

function stood(fromIso: string, toIso: string): string {
  const s = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
  if (!Number.isFinite(s)) return '';
  const m = Math.floor(s / 60);
  return m === 0 ? `${s} s` : `${m} min ${s % 60} s`;
}

export function alarmEventMessage(change: AlarmChange): string {
  const { alarm } = change;
  if (change.change !== 'cleared') return alarm.note ? `${alarm.message} (${alarm.note})` : alarm.message;
  const now = change.resolution ?? ALARM_CLEARED[alarm.kind];
  const lasted = stood(alarm.since, change.at);
  return `${now}; the alarm had stood${lasted ? ` ${lasted}` : ''}: ${alarm.message}`;
}
