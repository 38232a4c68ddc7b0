/**
 * The AI4I 2020 predictive-maintenance data set (../shared/data/sensors,
 * UCI, CC BY 4.0): real machine readings with real failures. Its columns as
 * LineSight channels, the model's features, and the hold-out rule the
 * training and the evaluation share (every fifth row by UDI is never trained on).
 */
import type { ChannelSpec } from '../../../shared/sensor-config';

export const AI4I_CHANNELS = {
  air_temp_k: { min: 250, max: 350, unit: 'K' },
  process_temp_k: { min: 250, max: 370, unit: 'K' },
  speed_rpm: { min: 0, max: 5000, unit: 'rpm' },
  torque_nm: { min: 0, max: 150, unit: 'Nm' },
  tool_wear_min: { min: 0, max: 400, unit: 'min' },
  /** Product quality variant: L = 0, M = 1, H = 2. */
  quality: { min: 0, max: 2 },
} as const satisfies Record<string, ChannelSpec>;

export type Ai4iChannel = keyof typeof AI4I_CHANNELS;

/** The features of the AI4I model, in its input order: the readings, and what the failure modes depend on. */
export const AI4I_FEATURES = [
  'air_temp_k',
  'process_temp_k',
  'speed_rpm',
  'torque_nm',
  'tool_wear_min',
  'quality',
  // heat dissipation failures: process − air temperature
  'process_temp_k-air_temp_k',
  // power failures: torque × speed
  'torque_nm*speed_rpm',
  // overstrain failures: wear × torque
  'tool_wear_min*torque_nm',
] as const;

export interface Ai4iRow {
  readonly udi: number;
  readonly values: Readonly<Record<Ai4iChannel, number>>;
  readonly failure: boolean;
}

const COLUMNS: Record<Ai4iChannel, string> = {
  air_temp_k: 'Air temperature [K]',
  process_temp_k: 'Process temperature [K]',
  speed_rpm: 'Rotational speed [rpm]',
  torque_nm: 'Torque [Nm]',
  tool_wear_min: 'Tool wear [min]',
  quality: 'Type',
};

export function parseAi4i(csv: string): Ai4iRow[] {
  const lines = csv.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  const header = lines[0]!.split(',');
  const at = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`AI4I file has no column "${name}"`);
    return i;
  };
  const index = Object.fromEntries(Object.entries(COLUMNS).map(([k, v]) => [k, at(v)])) as Record<Ai4iChannel, number>;
  const udi = at('UDI');
  const failure = at('Machine failure');
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    const values = Object.fromEntries(
      (Object.keys(COLUMNS) as Ai4iChannel[]).map((k) => [k, k === 'quality' ? 'LMH'.indexOf(cells[index.quality]!) : Number(cells[index[k]])]),
    ) as Record<Ai4iChannel, number>;
    return { udi: Number(cells[udi]), values, failure: cells[failure] === '1' };
  });
}

/** Held out from training, for evaluation: every fifth row by UDI. */
export const isHeldOut = (row: Ai4iRow): boolean => row.udi % 5 === 0;
