/**
 * Feature names, as a sensor model's manifest lists them, and what each one
 * means. The grammar is small on purpose:
 *
 *   torque_nm                    the channel's latest value
 *   vibration_g.rms              a rolling statistic: mean std rms min max p2p kurtosis
 *   vibration_g.band_60_100      energy between 60 and 100 Hz over the window
 *   a*b  a-b  a/b  a+b           two of the above combined (power = torque × speed,
 *                                temperature difference, cross-sensor ratios)
 *
 * Pure: names in, a plan out, with a message for a name it cannot read.
 */

export const STATISTICS = ['mean', 'std', 'rms', 'min', 'max', 'p2p', 'kurtosis'] as const;
export type Statistic = (typeof STATISTICS)[number];

export type Term =
  | { readonly kind: 'last'; readonly channel: string }
  | { readonly kind: 'stat'; readonly channel: string; readonly stat: Statistic }
  | { readonly kind: 'band'; readonly channel: string; readonly loHz: number; readonly hiHz: number };

export type FeatureSpec = { readonly name: string; readonly left: Term; readonly op?: '*' | '-' | '/' | '+'; readonly right?: Term };

export class FeatureSpecError extends Error {
  override readonly name = 'FeatureSpecError';
}

function term(text: string, feature: string): Term {
  const m = /^([A-Za-z][A-Za-z0-9_]*)(?:\.([a-z0-9_]+))?$/.exec(text.trim());
  if (!m) throw new FeatureSpecError(`feature "${feature}": "${text}" is not channel or channel.statistic`);
  const channel = m[1]!;
  const suffix = m[2];
  if (suffix === undefined) return { kind: 'last', channel };
  const band = /^band_(\d+(?:_\d+)?)_(\d+(?:_\d+)?)$/.exec(suffix);
  if (band) {
    const num = (s: string): number => Number(s.replace('_', '.'));
    const [loHz, hiHz] = [num(band[1]!), num(band[2]!)];
    if (!(loHz < hiHz)) throw new FeatureSpecError(`feature "${feature}": band ${loHz}–${hiHz} Hz is empty`);
    return { kind: 'band', channel, loHz, hiHz };
  }
  if ((STATISTICS as readonly string[]).includes(suffix)) return { kind: 'stat', channel, stat: suffix as Statistic };
  throw new FeatureSpecError(`feature "${feature}": unknown statistic "${suffix}" (known: ${STATISTICS.join(', ')}, band_LO_HI)`);
}

export function parseFeature(name: string): FeatureSpec {
  const m = /^([^*/+-]+)([*/+-])([^*/+-]+)$/.exec(name);
  if (!m) return { name, left: term(name, name) };
  return { name, left: term(m[1]!, name), op: m[2] as FeatureSpec['op'] & string, right: term(m[3]!, name) };
}

export function channelsOf(specs: readonly FeatureSpec[]): string[] {
  return [...new Set(specs.flatMap((s) => [s.left, ...(s.right ? [s.right] : [])]).map((t) => t.channel))];
}
