/**
 * Which labelled pictures become a model's check pictures (issue 16): every
 * label, and both sides of each threshold — the pictures scored nearest
 * above and below the reject and the divert thresholds, where a provider or
 * a precision that computes differently changes a decision first — then the
 * most typical of each label. Pure; at most `max`.
 */
export interface ScoredPicture {
  readonly path: string;
  readonly label: string;
  /** The reject label's probability; NaN when it could not be scored (never chosen). */
  readonly score: number;
}

export function chooseCheckPictures(
  pictures: readonly ScoredPicture[],
  thresholds: { readonly pit: number; readonly maybe: number },
  max: number,
): ScoredPicture[] {
  const scored = pictures.filter((p) => Number.isFinite(p.score));
  const chosen: ScoredPicture[] = [];
  const take = (p: ScoredPicture | undefined): void => {
    if (p && chosen.length < max && !chosen.includes(p)) chosen.push(p);
  };
  for (const t of [thresholds.pit, thresholds.maybe]) {
    take(scored.filter((p) => p.score >= t).sort((a, b) => a.score - b.score)[0]);
    take(scored.filter((p) => p.score < t).sort((a, b) => b.score - a.score)[0]);
  }
  const labels = [...new Set(scored.map((p) => p.label))].sort();
  for (let round = 0; chosen.length < max && round < 4; round++) {
    for (const label of labels) {
      const mine = scored.filter((p) => p.label === label).sort((a, b) => a.score - b.score);
      // The median first, then the ends: typical pictures, then the label's extremes.
      const order = [mine[Math.floor(mine.length / 2)], mine[0], mine[mine.length - 1], mine[Math.floor(mine.length / 4)]];
      take(order[round]);
    }
  }
  return chosen;
}
