/** Rolling statistics and band energies against plainly written references. */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { BandEnergy } from '../../../src/engine/sensors/features/band-energy';
import { FeatureExtractor } from '../../../src/engine/sensors/features/feature-extractor';
import { FeatureSpecError, parseFeature } from '../../../src/engine/sensors/features/feature-spec';
import { RollingWindow } from '../../../src/engine/sensors/features/rolling-window';

function reference(xs: readonly number[]) {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  const m4 = xs.reduce((a, b) => a + (b - mean) ** 4, 0) / n;
  return {
    mean,
    std: Math.sqrt(variance),
    rms: Math.sqrt(xs.reduce((a, b) => a + b * b, 0) / n),
    min: Math.min(...xs),
    max: Math.max(...xs),
    kurtosis: m4 / variance ** 2,
  };
}

describe('RollingWindow', () => {
  it('matches a recomputation from scratch at every step, over many windows', () => {
    const rng = seedrandom('rolling');
    const w = new RollingWindow(50);
    const all: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      const x = 20 + 5 * Math.sin(i / 7) + (rng() - 0.5) * (i % 900 < 50 ? 30 : 2);
      w.push(x);
      all.push(x);
      if (i % 97 === 0 || i > 9_990) {
        const ref = reference(all.slice(-50));
        expect(w.mean).toBeCloseTo(ref.mean, 9);
        expect(w.std).toBeCloseTo(ref.std, 7);
        expect(w.rms).toBeCloseTo(ref.rms, 9);
        expect(w.min).toBe(ref.min);
        expect(w.max).toBe(ref.max);
        expect(w.peakToPeak).toBeCloseTo(ref.max - ref.min, 12);
        if (w.full) expect(w.kurtosis).toBeCloseTo(ref.kurtosis, 5);
      }
    }
    expect([...w.ordered()]).toEqual(all.slice(-50));
  });

  it('reports 3 for the kurtosis of a Gaussian-like window and more for impulses', () => {
    const rng = seedrandom('kurt');
    const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const calm = new RollingWindow(4096);
    const spiky = new RollingWindow(4096);
    for (let i = 0; i < 4096; i++) {
      calm.push(gauss());
      spiky.push(gauss() + (i % 100 === 0 ? 15 : 0));
    }
    expect(calm.kurtosis).toBeGreaterThan(2.7);
    expect(calm.kurtosis).toBeLessThan(3.3);
    expect(spiky.kurtosis).toBeGreaterThan(6);
  });
});

describe('BandEnergy', () => {
  it("puts a sine's energy in the band around its frequency", () => {
    const fs = 200;
    const samples = Float64Array.from({ length: 256 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 80 * i) / fs) + 0.2 * Math.sin((2 * Math.PI * 25 * i) / fs));
    const [high, low, empty] = new BandEnergy(256).energies(samples, fs, [
      [60, 100],
      [10, 40],
      [40, 60],
    ]);
    expect(high!).toBeGreaterThan(low!);
    expect(low!).toBeGreaterThan(empty! * 100);
    expect(BandEnergy.sizeFor(300)).toBe(256);
  });
});

describe('feature names', () => {
  it('read channels, statistics, bands and combinations', () => {
    expect(parseFeature('torque_nm')).toEqual({ name: 'torque_nm', left: { kind: 'last', channel: 'torque_nm' } });
    expect(parseFeature('vibration_g.band_60_100').left).toEqual({ kind: 'band', channel: 'vibration_g', loHz: 60, hiHz: 100 });
    expect(parseFeature('vibration_g.band_0_5_4').left).toEqual({ kind: 'band', channel: 'vibration_g', loHz: 0.5, hiHz: 4 });
    expect(parseFeature('torque_nm*speed_rpm')).toMatchObject({ op: '*', right: { kind: 'last', channel: 'speed_rpm' } });
    expect(parseFeature('vibration_g.rms/temperature_c.mean')).toMatchObject({ op: '/', left: { stat: 'rms' }, right: { stat: 'mean' } });
    expect(() => parseFeature('vibration_g.median')).toThrow(FeatureSpecError);
    expect(() => parseFeature('vibration_g.median')).toThrow(/unknown statistic "median"/);
    expect(() => parseFeature('9lives')).toThrow(/is not channel or channel.statistic/);
  });

  it("make a vector in the manifest's order, once every window is full", () => {
    const x = new FeatureExtractor(['a.mean', 'b', 'a.max-a.min', 'b*a.mean'], 4, 100);
    x.push({ a: 1, b: 10 });
    expect(x.vector()).toEqual({ ok: false, reason: 'a: 1 of 4 samples so far' });
    for (const a of [2, 3, 4]) x.push({ a, b: 10 + a });
    const v = x.vector();
    expect(v.ok && [...v.values]).toEqual([2.5, 14, 3, 14 * 2.5]);
  });
});
