/**
 * A shadow trial (issue 16): a registered candidate sees the live line's
 * frames and decides beside it, never actuating; what the two said is
 * compared item by item. Shapes the engine (engine/shadow/) and the Models
 * page share.
 */
import { z } from 'zod';
import { DECISIONS } from './decision';

export const ShadowStartSchema = z
  .object({
    /** The registered candidate (Models page). */
    modelId: z.number().int().positive(),
    /** The trial ends after this many items compared… */
    items: z.number().int().min(10).max(10_000_000).default(1000),
    /** …or after this many minutes, whichever comes first. */
    minutes: z
      .number()
      .positive()
      .max(7 * 24 * 60)
      .default(60),
    /** The share of frames the candidate is offered (a slow CPU: less); it also skips a frame while it is still busy. */
    share: z.number().gt(0).max(1).default(1),
  })
  .strict();
export type ShadowStart = z.infer<typeof ShadowStartSchema>;

/** A proportion with its two-sided 95 % Clopper–Pearson interval. */
export const RateSchema = z.object({ count: z.number().int(), rate: z.number(), low: z.number(), high: z.number() });
export type Rate = z.infer<typeof RateSchema>;

export const ShadowFiguresSchema = z.object({
  /** Frames the live line decided while the trial ran. */
  seen: z.number().int(),
  /** Frames given to the candidate (the share it ran: offered / seen). */
  offered: z.number().int(),
  /** Items both decided on the picture (neither fail-safe): the ones compared. */
  compared: z.number().int(),
  /** Items not compared: the live line or the candidate rejected without a verdict (paused, late, a dropped frame). */
  notCompared: z.number().int(),
  /** The same decision (clean, maybe or pit). */
  agreement: RateSchema,
  /** Cohen's κ over the three decisions; null until both have said something. */
  kappa: z.number().nullable(),
  /** The live model rejected or diverted it, the candidate passed it: a defect the candidate would let through. */
  liveRejectsCandidatePasses: RateSchema,
  /** The candidate rejected or diverted it, the live model passed it: good items the candidate would throw away. */
  candidateRejectsLivePasses: RateSchema,
  /** Both kept it off the good belt but one diverted and the other rejected. */
  divertVersusReject: z.number().int(),
  /** Counts of [live][candidate] decisions, in clean, maybe, pit order. */
  matrix: z.array(z.array(z.number().int())),
});
export type ShadowFigures = z.infer<typeof ShadowFiguresSchema>;

export const SHADOW_STATES = ['running', 'finished', 'promoted', 'discarded', 'failed'] as const;

export const ShadowTrialSchema = z.object({
  id: z.number().int(),
  candidate: z.object({ id: z.number().int(), name: z.string(), version: z.string() }),
  live: z.object({ name: z.string(), version: z.string() }),
  /** The thresholds the candidate decided with (its calibration on this station, else its manifest's). */
  thresholds: z.object({ pit: z.number(), maybe: z.number() }),
  state: z.enum(SHADOW_STATES),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  /** Why it ended (items reached, time up, stopped by, the live model changed, the candidate failed). */
  endedBecause: z.string().nullable(),
  stopAt: z.object({ items: z.number().int(), until: z.string() }),
  share: z.number(),
  startedBy: z.string(),
  /** Promoted or discarded: by whom, why. */
  decidedBy: z.string().nullable(),
  decidedReason: z.string().nullable(),
  figures: ShadowFiguresSchema,
  /** Disagreements whose frame was kept for review (capped per trial). */
  kept: z.number().int(),
});
export type ShadowTrial = z.infer<typeof ShadowTrialSchema>;

export const DISAGREEMENT_KINDS = ['live-rejects-candidate-passes', 'candidate-rejects-live-passes', 'divert-versus-reject'] as const;

export const ShadowDisagreementSchema = z.object({
  id: z.number().int(),
  trialId: z.number().int(),
  frameId: z.number().int(),
  at: z.string(),
  kind: z.enum(DISAGREEMENT_KINDS),
  live: z.object({ decision: z.enum(DECISIONS), score: z.number() }),
  candidate: z.object({ decision: z.enum(DECISIONS), score: z.number() }),
  /** The kept frame (relative to the data folder); null when the frame was not a picture worth keeping or the cap was reached. */
  imagePath: z.string().nullable(),
});
export type ShadowDisagreement = z.infer<typeof ShadowDisagreementSchema>;
