/** Messages between the engine and its query worker (reads of the log for the UI). */
import type { InspectionFilter, InspectionPage } from '../../../shared/history';
import type { Thresholds } from '../../../shared/manifest';
import type { ScoreSample, ScoreWindow } from '../../../shared/what-if';
import type { CsvFile } from './inspection-queries';

/** Each query: what it takes and what it gives. */
export interface QueryCalls {
  page: { args: { filter: InspectionFilter; limit: number; beforeSeq?: number }; result: InspectionPage };
  sample: { args: { window: ScoreWindow; model: { name: string; version: string }; thresholds: Thresholds; now: string }; result: ScoreSample };
  export: { args: { filter: InspectionFilter; stationId: string; now: string }; result: CsvFile };
  imagePath: { args: { seq: number }; result: string | null };
}
export type QueryKind = keyof QueryCalls;

export type ToQueryWorker =
  | { readonly type: 'open'; readonly databasePath: string }
  | { readonly type: 'call'; readonly id: number; readonly kind: QueryKind; readonly args: unknown }
  | { readonly type: 'close' };

export type FromQueryWorker =
  | { readonly type: 'opened' }
  | { readonly type: 'open-failed'; readonly message: string }
  | { readonly type: 'result'; readonly id: number; readonly value: unknown }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };
