/** The shadow trial's figures (src/engine/shadow/shadow-figures.ts): κ, the Clopper–Pearson intervals, the disagreements. */
import { describe, expect, it } from 'vitest';
import { cohensKappa, disagreementOf, rateOf, shadowFigures } from '../../../src/engine/shadow/shadow-figures';

describe('shadow figures', () => {
  it("computes Cohen's κ as worked by hand", () => {
    // Two raters, 50 items, yes/no: 20 both yes, 15 both no, 5 + 10 apart. p_o = 0.7, p_e = 0.5 → κ = 0.4.
    expect(
      cohensKappa([
        [20, 5],
        [10, 15],
      ]),
    ).toBeCloseTo(0.4, 12);
    expect(
      cohensKappa([
        [10, 0, 0],
        [0, 5, 0],
        [0, 0, 3],
      ]),
    ).toBe(1);
    // Always the same single decision on both sides: perfect agreement, κ 1 (not 0/0).
    expect(
      cohensKappa([
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 9],
      ]),
    ).toBe(1);
    expect(
      cohensKappa([
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ]),
    ).toBeNull();
  });

  it('gives two-sided 95 % Clopper–Pearson intervals (scipy: beta.ppf(0.025, k, n − k + 1), beta.ppf(0.975, k + 1, n − k))', () => {
    const r = rateOf(3, 100);
    expect(r.rate).toBe(0.03);
    expect(r.low).toBeCloseTo(0.00622, 4);
    expect(r.high).toBeCloseTo(0.08518, 4);
    expect(rateOf(0, 59)).toMatchObject({ low: 0, high: expect.closeTo(0.06061, 4) as number });
    expect(rateOf(0, 0)).toEqual({ count: 0, rate: 0, low: 0, high: 1 });
  });

  it('sorts each disagreement by what it would do on the line', () => {
    expect(disagreementOf('pit', 'clean')).toBe('live-rejects-candidate-passes');
    expect(disagreementOf('maybe', 'clean')).toBe('live-rejects-candidate-passes');
    expect(disagreementOf('clean', 'pit')).toBe('candidate-rejects-live-passes');
    expect(disagreementOf('maybe', 'pit')).toBe('divert-versus-reject');
    expect(disagreementOf('clean', 'clean')).toBeNull();
    // live rows, candidate columns: clean, maybe, pit.
    const f = shadowFigures(
      [
        [50, 2, 1],
        [4, 10, 1],
        [3, 0, 29],
      ],
      { seen: 120, offered: 110, notCompared: 10 },
    );
    expect(f).toMatchObject({ compared: 100, divertVersusReject: 1, seen: 120, offered: 110, notCompared: 10 });
    expect(f.agreement.count).toBe(89);
    expect(f.liveRejectsCandidatePasses.count).toBe(7);
    expect(f.candidateRejectsLivePasses.count).toBe(3);
  });
});
