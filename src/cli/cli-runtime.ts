/**
 * What the teach, calibrate and evaluate commands share: how the line would
 * run a model here (the station config's inference settings, or its
 * defaults), the worker files from source, and the calibration options
 * given on the command line, checked.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_CALIBRATION_OPTIONS, RECALL_ON, type CalibrationOptions, type RecallOn } from '../shared/calibration';
import { StationConfigSchema } from '../shared/config';
import { describeZodError } from '../shared/zod-errors';
import type { InferenceRuntime } from '../engine/inference/session-settings';
import { loadImagePackage, type ImageModelPackage } from '../engine/model-package';
import { runtimeFor } from '../engine/station/line-model';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The inference runtime of a station config file (only its inference part is read), or of the defaults. */
export function lineRuntime(configFile: string | undefined): InferenceRuntime {
  let json: unknown = {};
  if (configFile !== undefined) {
    try {
      const parsed = JSON.parse(readFileSync(configFile, 'utf8')) as { inference?: unknown };
      json = { inference: parsed.inference ?? {} };
    } catch (err) {
      throw new UsageError(`cannot read the station config ${configFile}: ${(err as Error).message}`);
    }
  }
  const config = StationConfigSchema.safeParse(json);
  if (!config.success) throw new UsageError(`the inference settings of ${configFile} are invalid: ${describeZodError(config.error)}`);
  return runtimeFor(config.data.inference, null);
}

function share(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n >= 1) throw new UsageError(`${flag} must be a number between 0 and 1 (exclusive), not "${value}"`);
  return n;
}

export function calibrationOptions(values: { target?: string; confidence?: string; 'max-false-reject'?: string; 'recall-on'?: string }): CalibrationOptions {
  const recallOn = values['recall-on'] ?? DEFAULT_CALIBRATION_OPTIONS.recallOn;
  if (!(RECALL_ON as readonly string[]).includes(recallOn)) throw new UsageError(`--recall-on must be ${RECALL_ON.join(' or ')}, not "${recallOn}"`);
  return {
    target: share(values.target, '--target', DEFAULT_CALIBRATION_OPTIONS.target),
    confidence: share(values.confidence, '--confidence', DEFAULT_CALIBRATION_OPTIONS.confidence),
    maxFalseReject: share(values['max-false-reject'], '--max-false-reject', DEFAULT_CALIBRATION_OPTIONS.maxFalseReject),
    recallOn: recallOn as RecallOn,
  };
}

export const CALIBRATION_FLAGS = {
  target: { type: 'string' },
  confidence: { type: 'string' },
  'max-false-reject': { type: 'string' },
  'recall-on': { type: 'string' },
  config: { type: 'string' },
} as const;

/** A duration in words a person reads at a glance: "2 min 05 s", "48 s". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}

/** A threshold in the output: four decimals, more where four would round it to 1. */
export function threshold(t: number): string {
  return t < 1 && t >= 0.99995 ? t.toFixed(7) : t.toFixed(4);
}

/** --model and --data, both required: the model package read (its hash checked) and the folder; `fail` says what is wrong. */
export async function modelAndData(
  values: { model?: string; data?: string },
  fail: (message: string) => never,
): Promise<{ pkg: ImageModelPackage; data: string }> {
  if (!values.model) fail('--model is required (a model package folder)');
  if (!values.data) fail('--data is required (a folder with one subfolder of pictures per label)');
  try {
    return { pkg: await loadImagePackage(values.model), data: values.data };
  } catch (err) {
    return fail((err as Error).message);
  }
}
