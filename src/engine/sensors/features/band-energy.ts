/**
 * Energy of a signal in frequency bands, over a window, with fft.js: the
 * bearing-wear signature is energy at its defect frequency, not in the RMS
 * alone. The window's mean is removed and a Hann taper applied so that
 * leakage from the shaft frequency does not spill into neighbouring bands.
 */
import FFT from 'fft.js';

export class BandEnergy {
  private readonly fft: FFT;
  private readonly input: Float64Array;
  private readonly taper: Float64Array;
  private readonly spectrum: number[];

  /** `size` is the FFT length, a power of two (the largest that fits the window). */
  constructor(readonly size: number) {
    this.fft = new FFT(size);
    this.input = new Float64Array(size);
    this.taper = Float64Array.from({ length: size }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (size - 1)));
    this.spectrum = this.fft.createComplexArray() as number[];
  }

  static sizeFor(windowSamples: number): number {
    return 2 ** Math.floor(Math.log2(windowSamples));
  }

  /**
   * Energy (sum of squared magnitudes, divided by size²) of the last `size`
   * samples between loHz and hiHz, for each band.
   */
  energies(samples: Float64Array, sampleRateHz: number, bands: readonly (readonly [number, number])[]): number[] {
    const n = this.size;
    const offset = samples.length - n;
    if (offset < 0) return bands.map(() => Number.NaN);
    let mean = 0;
    for (let i = 0; i < n; i++) mean += samples[offset + i]!;
    mean /= n;
    for (let i = 0; i < n; i++) this.input[i] = (samples[offset + i]! - mean) * this.taper[i]!;
    this.fft.realTransform(this.spectrum, this.input as unknown as number[]);
    const binHz = sampleRateHz / n;
    return bands.map(([lo, hi]) => {
      let energy = 0;
      for (let k = Math.max(1, Math.ceil(lo / binHz)); k <= Math.min(n / 2, Math.floor(hi / binHz)); k++) {
        const re = this.spectrum[2 * k]!;
        const im = this.spectrum[2 * k + 1]!;
        energy += re * re + im * im;
      }
      return energy / (n * n);
    });
  }
}
