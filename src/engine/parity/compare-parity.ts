/**
 * The parity gate's judgement (issue 16), pure: a model's scores on its check
 * pictures now, against the scores and decisions recorded on the CPU. Full
 * precision: every |Δp| within 1e-4 and every decision the same. Reduced
 * precision: within 0.02, and a changed decision forgiven only on a picture
 * whose recorded score lies within 0.02 of a threshold (there a float16 or
 * INT8 rounding may fairly tip it).
 */
import { decisionForScore, type Decision } from '../../shared/decision';
import { PARITY_TOLERANCE, type ParityRecord, type ParityResult, type Precision } from '../../shared/parity';

export interface ComputedScores {
  readonly file: string;
  /** Per-label probabilities now; null when the picture could not be scored (the gate then fails). */
  readonly scores: readonly number[] | null;
  readonly error?: string;
}

export function compareParity(
  record: ParityRecord,
  computed: readonly ComputedScores[],
  ctx: {
    readonly labels: readonly string[];
    readonly rejectIndex: number;
    readonly precision: Precision;
    readonly provider: string;
    readonly model: ParityResult['model'];
    readonly at: Date;
  },
): ParityResult {
  const tolerance = PARITY_TOLERANCE[ctx.precision];
  let worst: ParityResult['worst'] = null;
  const decisionsChanged: { file: string; recorded: Decision; now: Decision }[] = [];
  const base = { at: ctx.at.toISOString(), model: ctx.model, provider: ctx.provider, precision: ctx.precision, tolerance, pictures: record.pictures.length };
  for (const picture of record.pictures) {
    const now = computed.find((c) => c.file === picture.file);
    if (!now?.scores) {
      const why = now?.error ?? 'it was not run';
      return {
        ...base,
        passed: false,
        worst: null,
        decisionsChanged: [],
        message: `the check picture ${picture.file} could not be scored (${why}): the model does not go live`,
      };
    }
    if (now.scores.length !== picture.scores.length) {
      return {
        ...base,
        passed: false,
        worst: null,
        decisionsChanged: [],
        message: `the model gives ${now.scores.length} scores where its record has ${picture.scores.length}: it is not the model the record was made for`,
      };
    }
    picture.scores.forEach((recorded, i) => {
      const value = now.scores![i]!;
      const delta = Number.isFinite(value) ? Math.abs(value - recorded) : Infinity;
      if (!worst || delta > worst.delta) worst = { file: picture.file, label: ctx.labels[i] ?? String(i), recorded, now: value, delta };
    });
    const rejectNow = now.scores[ctx.rejectIndex]!;
    const decisionNow = Number.isFinite(rejectNow) ? decisionForScore(rejectNow, record.thresholds) : 'pit';
    if (decisionNow !== picture.decision) {
      const recordedReject = picture.scores[ctx.rejectIndex]!;
      const nearThreshold =
        Math.min(Math.abs(recordedReject - record.thresholds.pit), Math.abs(recordedReject - record.thresholds.maybe)) <= PARITY_TOLERANCE.reduced;
      if (!(ctx.precision === 'reduced' && nearThreshold)) decisionsChanged.push({ file: picture.file, recorded: picture.decision, now: decisionNow });
    }
  }
  const w = worst as ParityResult['worst'];
  const within = w === null || w.delta <= tolerance;
  const passed = within && decisionsChanged.length === 0;
  const largest = w
    ? `largest difference ${w.delta.toExponential(1)} on ${w.file} (${w.label} ${w.now.toFixed(5)} now, ${w.recorded.toFixed(5)} recorded)`
    : 'no difference';
  const message = passed
    ? `parity on ${ctx.provider}: ${record.pictures.length} check pictures within ${tolerance} of the CPU record, the same decisions (${largest})`
    : !within
      ? `parity failed on ${ctx.provider}: check picture ${w!.file} scores ${w!.label} ${w!.now.toFixed(5)} now and ${w!.recorded.toFixed(5)} on the CPU when recorded, more than ${tolerance} apart: the model does not go live`
      : `parity failed on ${ctx.provider}: check picture ${decisionsChanged[0]!.file} is now ${decisionsChanged[0]!.now}, recorded ${decisionsChanged[0]!.recorded}: the model does not go live`;
  return { ...base, passed, worst: w, decisionsChanged, message };
}
