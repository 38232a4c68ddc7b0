/** Decisions the station can take for one item, and the threshold rule. Shared by engine and UI. */

export const DECISIONS = ['clean', 'maybe', 'pit'] as const;
export type Decision = (typeof DECISIONS)[number];

/**
 * The threshold rule for a valid score (0..1): pit at or above the pit
 * threshold, maybe at or above the maybe threshold, else clean. The engine
 * decides with it (after its fail-safe checks) and the UI's what-if counts
 * with it, so that what the technician is shown is what the line will do.
 * The thresholds by shape, not manifest.ts's type: manifest.ts leads here through parity.ts.
 */
export function decisionForScore(score: number, thresholds: { readonly pit: number; readonly maybe: number }): Decision {
  if (score >= thresholds.pit) return 'pit';
  if (score >= thresholds.maybe) return 'maybe';
  return 'clean';
}
