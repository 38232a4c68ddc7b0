/** Alarms the station raises, and the events it logs, as the UI sees them. */
import { z } from 'zod';

export const ALARM_KINDS = ['camera', 'model', 'provider', 'sensor', 'health', 'storage', 'upload', 'line', 'drift', 'picture', 'ejector'] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

export const AlarmSchema = z.object({
  /** Stable per cause (e.g. "camera", "sensor:line-vibration"), so a cause is raised once and cleared once. */
  id: z.string(),
  kind: z.enum(ALARM_KINDS),
  severity: z.enum(['warning', 'alarm']),
  message: z.string(),
  /** Said with the alarm to everyone who sees it, e.g. that the demo simulates this fault and it is not real. */
  note: z.string().optional(),
  /** ISO 8601, UTC: when it was raised. */
  since: z.string(),
});
export type Alarm = z.infer<typeof AlarmSchema>;

export const AlarmChangeSchema = z.object({
  change: z.enum(['raised', 'cleared', 'changed']),
  alarm: AlarmSchema,
  at: z.string(),
  /** For a clear: what is true now ("machine health back to ok"), said by whoever cleared it. */
  resolution: z.string().optional(),
});
export type AlarmChange = z.infer<typeof AlarmChangeSchema>;

/** What a cleared alarm of each kind means, where whoever cleared it said nothing more precise. */
export const ALARM_CLEARED: Readonly<Record<AlarmKind, string>> = {
  camera: 'camera sending pictures again',
  model: 'model running again',
  provider: 'model running on the provider chosen',
  sensor: 'sensor readings arriving again',
  health: 'machine health back to ok',
  storage: 'records being stored again',
  upload: 'records reaching the plant database again',
  line: 'line running again',
  drift: "scores and rates like the model's reference again",
  picture: 'camera picture sharp and well lit again',
  ejector: 'ejector confirming rejects again',
};

/**
 * The kinds of event the station logs, with the words the event filter shows (Diagnostics): the alarm kinds,
 * and the fail-safe, sign-ins and lock-outs, and the demo's announcements. An event's kind stays a string on
 * the wire (a log written by an older or newer version may hold others); these are the ones a person filters by.
 */
export const EVENT_KIND_WORDS: Readonly<Record<string, string>> = {
  'fail-safe': 'rejecting all',
  camera: 'camera',
  model: 'model',
  provider: 'model provider',
  health: 'machine health',
  sensor: 'sensors',
  storage: 'storage',
  upload: 'upload',
  line: 'line',
  drift: 'drift',
  picture: 'camera picture',
  ejector: 'ejector',
  auth: 'sign-ins',
  demo: 'demo',
};
export const EVENT_KINDS = Object.keys(EVENT_KIND_WORDS);

export const StationEventSchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  kind: z.string(),
  severity: z.enum(['info', 'warning', 'alarm']),
  message: z.string(),
});
export type StationEvent = z.infer<typeof StationEventSchema>;
