/**
 * One inspected item, as the line decided it (inspection-line.ts), and the
 * two projections of it named for their use: the log's row (written by the
 * log worker, uploaded from there) and the live view's inspection (the UI's
 * contract, src/shared/inspection.ts). The row mapping is written once, here.
 */
import type { Inspection } from '../../shared/inspection';
import type { Thresholds } from '../../shared/manifest';
import type { StageTimings } from '../pipeline/inspection-pipeline';
import type { InspectionRow } from '../storage/inspection-log';
import type { Verdict } from './verdict';

export interface InspectedItem {
  readonly frameId: number;
  /** Epoch ms. */
  readonly capturedAt: number;
  readonly origin: string;
  readonly model: { readonly name: string; readonly version: string };
  readonly verdict: Verdict;
  /** What the verdict was reached with. */
  readonly thresholds: Thresholds;
  readonly timings: StageTimings;
  /** Applying the thresholds, when a model's scores were there to apply them to. */
  readonly decisionMs: number | null;
  /** Received → output commanded and row handed to the log. */
  readonly totalMs: number;
  /** Where the picture was kept (relative to the data folder), when it was. */
  readonly kept: { readonly path: string; readonly bytes: number } | null;
}

export function logRowOf(item: InspectedItem): InspectionRow {
  const { verdict, timings } = item;
  return {
    imagePath: item.kept?.path ?? null,
    imageBytes: item.kept?.bytes ?? 0,
    frameId: item.frameId,
    capturedAt: new Date(item.capturedAt).toISOString(),
    origin: item.origin,
    modelName: item.model.name,
    modelVersion: item.model.version,
    rejectScore: verdict.rejectScore,
    scores: verdict.scores,
    decision: verdict.decision,
    failSafeReason: verdict.failSafeReason,
    decodeMs: timings.decodeMs,
    preprocessMs: timings.preprocessMs,
    inferenceMs: timings.inferenceMs,
    decisionMs: item.decisionMs,
    totalMs: item.totalMs,
    // What the row was decided with, for History and the CSV (issue 12).
    pitThreshold: item.thresholds.pit,
    maybeThreshold: item.thresholds.maybe,
  };
}

export function liveInspectionOf(item: InspectedItem): Inspection {
  const { verdict } = item;
  return {
    frameId: item.frameId,
    capturedAt: new Date(item.capturedAt).toISOString(),
    origin: item.origin,
    decision: verdict.decision,
    rejectScore: verdict.rejectScore,
    scores: verdict.scores ?? {},
    ...(verdict.failSafeReason ? { failSafeReason: verdict.failSafeReason } : {}),
    totalMs: Math.round(item.totalMs * 100) / 100,
    modelVersion: item.model.version,
  };
}
