/** What the engine asks of its query worker (reads of the log for the UI). */
import type { InspectionFilter, InspectionPage } from '../../shared/history';
import type { Thresholds } from '../../shared/manifest';
import type { ScoreSample, ScoreWindow } from '../../shared/what-if';
import type { CsvFile } from './inspection-queries';

/** Each query: what it takes and what it gives. */
export type QueryCalls = {
  page: { args: { filter: InspectionFilter; limit: number; beforeSeq?: number }; result: InspectionPage };
  sample: { args: { window: ScoreWindow; model: { name: string; version: string }; thresholds: Thresholds; now: string }; result: ScoreSample };
  export: { args: { filter: InspectionFilter; stationId: string; now: string }; result: CsvFile };
  imagePath: { args: { seq: number }; result: string | null };
};
export type QueryKind = keyof QueryCalls;

/** The query worker's protocol (rpc/rpc-protocol.ts): opened on the log file, read-only. */
export type QueryProtocol = {
  open: { args: { databasePath: string }; result: null };
  calls: QueryCalls;
  tells: Record<never, never>;
  notes: never;
};
