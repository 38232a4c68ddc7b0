/**
 * Readings in, the sensor model's feature vector out, in the order its
 * manifest names the features. Each channel keeps a rolling window (O(1) per
 * sample); band energies are computed only when a vector is asked for.
 */
import { BandEnergy } from './band-energy';
import { channelsOf, parseFeature, type FeatureSpec, type Term } from './feature-spec';
import { RollingWindow } from './rolling-window';

export type FeatureVector = { readonly ok: true; readonly values: Float32Array } | { readonly ok: false; readonly reason: string };

export class FeatureExtractor {
  private readonly specs: readonly FeatureSpec[];
  private readonly windows = new Map<string, RollingWindow>();
  private readonly band: BandEnergy;
  private readonly scratch: Float64Array;
  /** Terms that need a full window before they mean anything. */
  private readonly windowed: ReadonlySet<string>;
  /** Every band asked of each channel, so one FFT per channel serves them all. */
  private readonly bandsOf = new Map<string, [number, number][]>();
  private bandCache = new Map<string, number[]>();

  constructor(
    featureNames: readonly string[],
    readonly windowSamples: number,
    readonly sampleRateHz: number,
  ) {
    this.specs = featureNames.map(parseFeature);
    this.windowed = new Set(
      this.specs
        .flatMap((s) => [s.left, ...(s.right ? [s.right] : [])])
        .filter((t) => t.kind !== 'last')
        .map((t) => t.channel),
    );
    for (const channel of channelsOf(this.specs)) this.windows.set(channel, new RollingWindow(windowSamples));
    for (const t of this.specs.flatMap((s) => [s.left, ...(s.right ? [s.right] : [])])) {
      if (t.kind !== 'band') continue;
      const list = this.bandsOf.get(t.channel) ?? [];
      if (!list.some(([lo, hi]) => lo === t.loHz && hi === t.hiHz)) list.push([t.loHz, t.hiHz]);
      this.bandsOf.set(t.channel, list);
    }
    this.band = new BandEnergy(BandEnergy.sizeFor(windowSamples));
    this.scratch = new Float64Array(windowSamples);
  }

  get channels(): string[] {
    return [...this.windows.keys()];
  }

  /** Takes the channels it knows from a reading; ignores the rest. */
  push(values: Readonly<Record<string, number>>): void {
    for (const [channel, value] of Object.entries(values)) this.windows.get(channel)?.push(value);
  }

  latest(channel: string): number | undefined {
    const w = this.windows.get(channel);
    return w && w.size > 0 ? w.last : undefined;
  }

  vector(into: Float32Array = new Float32Array(this.specs.length)): FeatureVector {
    for (const [channel, w] of this.windows) {
      if (w.size === 0) return { ok: false, reason: `no reading of ${channel} yet` };
      if (this.windowed.has(channel) && !w.full) return { ok: false, reason: `${channel}: ${w.size} of ${this.windowSamples} samples so far` };
    }
    this.bandCache = new Map();
    for (let i = 0; i < this.specs.length; i++) {
      const s = this.specs[i]!;
      const a = this.term(s.left);
      if (!s.op || !s.right) {
        into[i] = a;
        continue;
      }
      const b = this.term(s.right);
      into[i] = s.op === '*' ? a * b : s.op === '-' ? a - b : s.op === '+' ? a + b : b === 0 ? 0 : a / b;
    }
    for (let i = 0; i < into.length; i++) if (!Number.isFinite(into[i]!)) return { ok: false, reason: `feature ${this.specs[i]!.name} is not a number` };
    return { ok: true, values: into };
  }

  private term(t: Term): number {
    const w = this.windows.get(t.channel)!;
    switch (t.kind) {
      case 'last':
        return w.last;
      case 'band': {
        const bands = this.bandsOf.get(t.channel)!;
        let energies = this.bandCache.get(t.channel);
        if (!energies) {
          energies = this.band.energies(w.ordered(this.scratch.subarray(0, w.size)), this.sampleRateHz, bands);
          this.bandCache.set(t.channel, energies);
        }
        return energies[bands.findIndex(([lo, hi]) => lo === t.loHz && hi === t.hiHz)]!;
      }
      case 'stat':
        switch (t.stat) {
          case 'mean':
            return w.mean;
          case 'std':
            return w.std;
          case 'rms':
            return w.rms;
          case 'min':
            return w.min;
          case 'max':
            return w.max;
          case 'p2p':
            return w.peakToPeak;
          case 'kurtosis':
            return w.kurtosis;
        }
    }
  }
}
