/** A row of the inspections table as SQLite returns it (migrations 1, 4 and 10). */
import type { Decision } from '../../shared/decision';

export interface InspectionDbRow {
  seq: number;
  frame_id: number;
  captured_at: string;
  origin: string;
  model_name: string;
  model_version: string;
  reject_score: number | null;
  scores_json: string | null;
  decision: Decision;
  fail_safe_reason: string | null;
  decode_ms: number | null;
  preprocess_ms: number | null;
  inference_ms: number | null;
  decision_ms: number | null;
  total_ms: number | null;
  /** The kept JPEG, relative to the data dir, and when retention removed it. */
  image_path: string | null;
  image_removed_at: string | null;
  /** The thresholds in force when the item was decided; null on rows logged before migration 10. */
  pit_threshold: number | null;
  maybe_threshold: number | null;
}
