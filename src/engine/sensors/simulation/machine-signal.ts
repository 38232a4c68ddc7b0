/**
 * A sorting machine's sensors, simulated: shaft vibration (25 Hz and its
 * harmonic, noise), bearing temperature, hall humidity. Faults can be
 * injected: bearing wear (energy at its 80 Hz defect frequency and impulses
 * that raise RMS and kurtosis), a temperature drift. Deterministic for a
 * seed. Used by the sensor simulator command, the demo recording and the demo
 * sensor model's training data.
 */
import seedrandom from 'seedrandom';

export interface MachineFaults {
  /** Wear starts at startS and reaches full severity rampS later; with endS, the bearing is replaced then (no wear after). */
  readonly bearingWear?: { readonly startS: number; readonly rampS: number; readonly severity?: number; readonly endS?: number };
  /** The bearing heats up by degPerMin from startS. */
  readonly temperatureDrift?: { readonly startS: number; readonly degPerMin: number };
}

/**
 * How the bearing temperature moves. rising (the default, as the recordings and the demo sensor model's training
 * data were made): a slow climb, fine for a minute or two. steady: it settles at settleC (plus up to wearHeatC at
 * full wear) with time constant tauS, as a machine running for hours does.
 */
export type Thermal = { readonly kind: 'rising' } | { readonly kind: 'steady'; readonly settleC: number; readonly tauS: number; readonly wearHeatC: number };

export interface MachineSample {
  readonly tS: number;
  readonly vibration_g: number;
  readonly temperature_c: number;
  readonly humidity_pct: number;
}

export const MACHINE_CHANNELS = {
  vibration_g: { min: -20, max: 20, unit: 'g' },
  temperature_c: { min: -20, max: 150, unit: '°C' },
  humidity_pct: { min: 0, max: 100, unit: '%' },
} as const;

export class MachineSignal {
  private readonly rng: () => number;
  private i = 0;
  private temperature: number;
  private humidity = 55;

  constructor(
    seed: string,
    readonly rateHz: number,
    private readonly faults: MachineFaults = {},
    startTemperature = 38.2,
    private readonly thermal: Thermal = { kind: 'rising' },
  ) {
    this.rng = seedrandom(seed);
    this.temperature = startTemperature;
  }

  private gauss(): number {
    return Math.sqrt(-2 * Math.log(1 - this.rng())) * Math.cos(2 * Math.PI * this.rng());
  }

  /** Wear severity at time t, 0 … severity. */
  wearAt(tS: number): number {
    const w = this.faults.bearingWear;
    if (!w || (w.endS !== undefined && tS >= w.endS)) return 0;
    return (w.severity ?? 1) * Math.min(1, Math.max(0, (tS - w.startS) / Math.max(w.rampS, 1e-9)));
  }

  next(): MachineSample {
    const tS = this.i++ / this.rateHz;
    const wear = this.wearAt(tS);
    const impulse = wear > 0 && this.rng() < 0.02 * wear ? this.gauss() * 0.6 * wear : 0;
    const vibration =
      0.2 * Math.sin(2 * Math.PI * 25 * tS) +
      0.05 * Math.sin(2 * Math.PI * 50 * tS + 0.7) +
      0.25 * wear * Math.sin(2 * Math.PI * 80 * tS) +
      impulse +
      0.03 * this.gauss();
    const drift = this.faults.temperatureDrift;
    const driftPerSample = drift && tS >= drift.startS ? drift.degPerMin / 60 / this.rateHz : 0;
    const heat =
      this.thermal.kind === 'steady'
        ? (this.thermal.settleC + this.thermal.wearHeatC * wear - this.temperature) / this.thermal.tauS / this.rateHz
        : (0.016 + 0.08 * wear) / this.rateHz;
    this.temperature += heat + driftPerSample + (0.4 / this.rateHz) * this.gauss();
    this.humidity += (2 / this.rateHz) * this.gauss() - (0.2 / this.rateHz) * (this.humidity - 55);
    return { tS, vibration_g: vibration, temperature_c: this.temperature, humidity_pct: this.humidity };
  }
}
