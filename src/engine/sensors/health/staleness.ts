/**
 * How old each channel's newest valid reading may be before machine health
 * is unknown. A sensor that sends only junk, or stops, leaves its channels'
 * last values behind; health computed from them would say "ok" on data that
 * no longer describes the machine (issue 11). Pure: the config in, the ages
 * out; the clock is passed in.
 */
import type { SensorsConfig } from '../../../shared/sensor-config';
import { MACHINE_CHANNELS } from '../simulation/machine-signal';

/**
 * Oldest allowed newest-reading age per channel, ms: for the channels the sources provide, and for every
 * channel the model's features read (one no source provides comes from elsewhere, or never: either way it
 * must be fresh). A channel only an environmental rule reads, and no source provides, is not waited for.
 */
export function maxReadingAges(config: SensorsConfig, featureChannels: Iterable<string> = []): Map<string, number> {
  const windowMs = (config.windowSamples / config.sampleRateHz) * 1000;
  const base = config.staleMs ?? windowMs;
  const ages = new Map<string, number>();
  const allow = (channel: string, ms: number): void => {
    ages.set(channel, Math.max(ages.get(channel) ?? 0, ms));
  };
  for (const source of config.sources) {
    if (source.kind === 'serial') for (const channel of Object.keys(source.channels)) allow(channel, Math.max(base, source.livenessMs));
    else if (source.kind === 'modbus') for (const reg of source.registers) allow(reg.channel, Math.max(base, 2 * source.pollMs + source.timeoutMs));
    else if (source.kind === 'simulated') for (const channel of Object.keys(MACHINE_CHANNELS)) allow(channel, Math.max(base, 1000));
    else for (const channel of Object.keys(source.channels)) allow(channel, Math.max(base, 1000));
  }
  for (const channel of featureChannels) if (!ages.has(channel)) allow(channel, base);
  return ages;
}

export interface StaleChannel {
  readonly channel: string;
  /** Since its newest valid reading, or since monitoring began when none came. */
  readonly ageMs: number;
  readonly maxMs: number;
  readonly never: boolean;
}

/**
 * The first channel health needs whose newest valid reading is too old, with how old; null when all are
 * fresh. A channel that never delivered counts from `since` (when monitoring began), so start-up is not stale.
 */
export function staleChannel(
  needed: Iterable<string>,
  maxAges: ReadonlyMap<string, number>,
  seenAt: ReadonlyMap<string, number>,
  since: number,
  now: number,
): StaleChannel | null {
  for (const channel of needed) {
    const maxMs = maxAges.get(channel);
    if (maxMs === undefined) continue;
    const at = seenAt.get(channel);
    const ageMs = now - (at ?? since);
    if (ageMs > maxMs) return { channel, ageMs, maxMs, never: at === undefined };
  }
  return null;
}

export function describeStale(stale: StaleChannel): string {
  const age = `${(stale.ageMs / 1000).toFixed(1)} s`;
  return stale.never ? `no valid reading of ${stale.channel} in ${age}` : `no valid reading of ${stale.channel} for ${age} (its last value is stale)`;
}
