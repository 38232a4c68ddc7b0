/**
 * What an alarm means for the person at the line, in plain words (issue 12).
 * An alarm's own message is for a technician ("camera down: cannot read
 * http://…: connect ECONNREFUSED …"); an operator reading from two metres
 * needs what is wrong and what to do. The words come from the alarm's kind
 * alone, here and only here, so that the banner, the live page's
 * REJECTING ALL panel and any later screen say the same thing; the
 * technical message stays on Diagnostics.
 */
import type { Alarm, AlarmKind } from './alarms';

/**
 * The kinds whose alarm engages the fail-safe (every item rejected): the station cannot vouch for a decision
 * without pictures, without a model, or while a technician has paused the line. The engine's fail-safe reads this
 * list; a log that cannot be written engages it too (storage.whenFull: fail-safe), through the storage monitor.
 */
export const FAIL_SAFE_ALARM_KINDS: readonly AlarmKind[] = ['camera', 'model', 'line'];

/**
 * Whether a standing alarm engages the fail-safe: one of those kinds, or the ejector's when its policy holds the
 * fail-safe (plc.rejectConfirm.policy "fail-safe" raises it as an alarm; "alarm" as a warning).
 */
export function engagesFailSafe(alarm: Pick<Alarm, 'kind' | 'severity'>): boolean {
  return FAIL_SAFE_ALARM_KINDS.includes(alarm.kind) || (alarm.kind === 'ejector' && alarm.severity === 'alarm');
}

interface Words {
  /** What is wrong, as a sentence an operator can read aloud: standing alarm. */
  readonly alarm: string;
  /** The same, for a warning (something to watch, not yet stopping anything). */
  readonly warning: string;
  /** Why every item is being rejected, when this kind engaged the fail-safe. */
  readonly rejecting: string;
  /** What the operator should do. */
  readonly todo: string;
}

const CALL = 'Call a technician.';

export const OPERATOR_WORDS: Readonly<Record<AlarmKind, Words>> = {
  camera: {
    alarm: 'The camera is not sending pictures.',
    warning: 'The camera is sending pictures irregularly.',
    rejecting: 'The camera is not sending pictures.',
    todo: CALL,
  },
  model: {
    alarm: 'The model that judges the items is not running.',
    warning: 'The model that judges the items has a problem.',
    rejecting: 'The model that judges the items is not running.',
    todo: CALL,
  },
  // A provider that failed its start-up self-test: the model runs on the CPU, deciding as before, perhaps slower.
  provider: {
    alarm: 'The model runs on the processor instead of its accelerator.',
    warning: 'The model runs on the processor instead of its accelerator: it decides as before, perhaps slower.',
    rejecting: 'The model runs on the processor instead of its accelerator.',
    todo: 'Tell a technician; the line can keep running.',
  },
  sensor: {
    alarm: 'A machine sensor is not sending readings.',
    warning: 'A machine sensor is sending bad readings.',
    rejecting: 'A machine sensor is not sending readings.',
    todo: CALL,
  },
  health: {
    alarm: 'The machine is at high risk of a breakdown.',
    warning: 'The machine may need attention soon.',
    rejecting: 'The machine is at high risk of a breakdown.',
    todo: 'Call a technician to check the machine.',
  },
  storage: {
    alarm: 'The station cannot store its records.',
    warning: 'The station is running out of room for its records.',
    rejecting: 'The log cannot be written.',
    todo: CALL,
  },
  upload: {
    alarm: 'Records are not reaching the plant database.',
    warning: 'Records are not reaching the plant database yet; they are kept here.',
    rejecting: 'Records are not reaching the plant database.',
    todo: 'Tell a technician when convenient.',
  },
  line: {
    alarm: 'The line is paused.',
    warning: 'The line is paused.',
    rejecting: 'The line is paused.',
    todo: 'Ask the technician who paused it, or call a technician.',
  },
  // Drift never stops the line: the model still decides, on pictures unlike the ones it was checked on.
  drift: {
    alarm: 'The pictures or the decisions have changed from what the model was checked on.',
    warning: 'The pictures or the decisions have changed from what the model was checked on.',
    rejecting: 'The pictures or the decisions have changed from what the model was checked on.',
    todo: 'Tell a technician: the light, the camera or the product may have changed.',
  },
  // Blur and exposure never stop the line (camera-health/picture-quality.ts): the items are still seen, worse.
  picture: {
    alarm: 'The camera picture is blurred, too dark or too bright.',
    warning: 'The camera picture is blurred, too dark or too bright.',
    rejecting: 'The camera picture is blurred, too dark or too bright.',
    todo: 'Tell a technician: check the lens, its focus and the light.',
  },
  // A reject the ejector did not confirm: a rejected item may have gone on with the good ones.
  ejector: {
    alarm: 'The ejector did not confirm a reject.',
    warning: 'The ejector did not confirm a reject: a rejected item may have gone on.',
    rejecting: 'The ejector did not confirm a reject.',
    todo: 'Call a technician: check the ejector, and the items after the last confirmed reject.',
  },
};

/** The alarm in plain words, for the banner. */
export function plainAlarm(alarm: Pick<Alarm, 'kind' | 'severity'>): string {
  return OPERATOR_WORDS[alarm.kind][alarm.severity];
}

/** What to do about an alarm. */
export function alarmTodo(kind: AlarmKind): string {
  return OPERATOR_WORDS[kind].todo;
}

/**
 * Why every item is being rejected, in plain words, one line per cause (kinds repeated, e.g. two cameras, say it once);
 * and what to do: a technician, unless every cause has its own advice and they agree.
 */
export function rejectingAll(kinds: readonly AlarmKind[]): { why: string[]; todo: string } {
  const unique = [...new Set(kinds)];
  const why = [...new Set(unique.map((k) => OPERATOR_WORDS[k].rejecting))];
  const todos = [...new Set(unique.map((k) => OPERATOR_WORDS[k].todo))];
  return {
    why: why.length ? why : ['The station cannot vouch for its decisions.'],
    todo: todos.length === 1 ? todos[0]! : CALL,
  };
}

/**
 * Why one item was rejected to be safe, in plain words for the live page. The engine's reason is a technician's
 * ("decode failed: Input buffer contains unsupported image format", "late: decided 12 ms after the deadline");
 * History keeps it whole. Read by its leading words (src/engine/station-engine.ts, decision.ts and
 * log/storage-monitor.ts write them); anything else is said generally.
 */
const FAIL_SAFE_WORDS: readonly (readonly [RegExp, string])[] = [
  [/^(late:|deadline failed)/, 'It was not judged in time.'],
  [/^stale failed/, 'Its picture came too late to judge.'],
  [/^(source|decode|preprocess) failed/, 'Its picture could not be read.'],
  [/^(inference|batch) failed/, 'The model could not judge it.'],
  [/^queue failed/, 'The station was too busy to judge it.'],
  [/^line paused: camera frozen/, 'The camera keeps sending the same picture.'],
  [/^line paused/, 'The line is paused.'],
  [/^decisions cannot be recorded/, 'The station cannot store its records.'],
  [/^invalid score/, 'The model gave no usable answer.'],
];

export function plainFailSafeReason(reason: string): string {
  for (const [pattern, words] of FAIL_SAFE_WORDS) if (pattern.test(reason)) return words;
  return 'The station could not vouch for it.';
}
