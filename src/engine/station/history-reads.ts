/**
 * What the UI reads of the past: logged inspections (a page, the CSV, a kept
 * picture), the what-if panel's scores, events and the audit trail. Reads of
 * the log run in the query worker on committed rows, so the log is flushed
 * first.
 */
import type { StationEvent } from '../../shared/alarms';
import type { AuditEntry } from '../../shared/audit';
import type { CsvExport, InspectionFilter, InspectionPage } from '../../shared/history';
import type { Thresholds } from '../../shared/manifest';
import type { ScoreSample, ScoreWindow } from '../../shared/what-if';
import type { LogClient } from '../log/log-client';
import type { AuditTrail } from '../storage/audit-trail';
import type { EventLog } from '../storage/event-log';
import { readKeptImage } from '../storage/kept-images';
import type { QueryClient } from '../storage/query-client';

export interface HistoryDeps {
  readonly stationId: string;
  readonly dataDir: string;
  readonly log: LogClient;
  readonly queries: QueryClient;
  readonly events: EventLog;
  readonly audit: AuditTrail;
  /** The model running now, and the thresholds in force: the what-if panel's starting point. */
  readonly running: () => { readonly model: { readonly name: string; readonly version: string }; readonly thresholds: Thresholds };
}

export class HistoryReads {
  constructor(private readonly deps: HistoryDeps) {}

  /** Logged scores of the model running now, for the what-if panel. */
  async scoreSample(window: ScoreWindow): Promise<ScoreSample> {
    await this.deps.log.flush();
    const { model, thresholds } = this.deps.running();
    return this.deps.queries.call('sample', { window, model, thresholds, now: new Date().toISOString() });
  }

  async inspections(filter: InspectionFilter, limit: number, beforeSeq: number | undefined): Promise<InspectionPage> {
    await this.deps.log.flush();
    return this.deps.queries.call('page', { filter, limit, ...(beforeSeq !== undefined ? { beforeSeq } : {}) });
  }

  async exportCsv(filter: InspectionFilter): Promise<CsvExport> {
    await this.deps.log.flush();
    return this.deps.queries.call('export', { filter, stationId: this.deps.stationId, now: new Date().toISOString() });
  }

  /** The kept JPEG of a logged inspection, or null when none was kept or retention removed it. */
  async image(seq: number): Promise<Uint8Array | null> {
    const path = await this.deps.queries.call('imagePath', { seq });
    return path === null ? null : readKeptImage(this.deps.dataDir, path);
  }

  events(limit: number, kinds?: readonly string[]): StationEvent[] {
    return this.deps.events.recent(limit, kinds);
  }

  audit(limit: number): AuditEntry[] {
    return this.deps.audit.recent(limit);
  }
}
