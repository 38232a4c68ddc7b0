/**
 * The storage part of the watchdog (station-engine.ts watch()): raises and
 * clears the storage alarms — the data dir over its cap, the log that cannot
 * be written (by the log worker or on the main connection), uploads that keep
 * failing — says whether storage.whenFull puts the line in fail-safe, logs
 * each episode of a failing log when it ends (what waited and was committed,
 * what could not be recorded), and reports moved-aside databases being
 * uploaded. Issue 11, items 3 and 9. Also logs each stop and return of the
 * log worker (log-client.ts starts a new one), rows an upload target
 * said it already held (a silent drop made visible), and rows the log refused
 * for what they held (inspection-log.ts: written row by row, the bad ones
 * refused, the rest committed; issue 11, final review).
 */
import type { StorageConfig } from '../../shared/storage-config';
import type { StationStatus } from '../../shared/status';
import type { AlarmBoard } from '../alarms/alarm-board';
import type { Logger } from '../logger';
import type { AsideStatus } from '../upload/aside-drain';
import type { EventLog } from '../storage/event-log';
import type { WriterRecovery, WriterStatus } from '../storage/inspection-log';
import type { LogClient, LogWorkerChange } from './log-client';
import type { RejectedRowInfo } from './log-protocol';
import type { MainWrites } from '../storage/main-writes';
import type { StorageFault } from '../storage/storage-fault';
import type { WriteEpisode } from '../storage/write-health';

export interface StorageMonitorDeps {
  readonly config: StorageConfig;
  readonly databasePath: string;
  readonly log: LogClient;
  readonly writes: MainWrites;
  readonly events: EventLog;
  readonly alarms: AlarmBoard;
  readonly logger: Logger;
}

const CAP_ALARM = 'storage';
const WRITE_ALARM = 'storage:write';

const seconds = (from: string, to: string): string => ((Date.parse(to) - Date.parse(from)) / 1000).toFixed(1);
/** Rows already at a target are logged at most this often per lane (a resent backlog would log every batch otherwise). */
const ALREADY_PRESENT_EVENT_EVERY_MS = 60_000;

export class StorageMonitor {
  /** Each moved-aside file's state when last seen, so each change is logged once. */
  private readonly asideStates = new Map<string, AsideStatus['state']>();
  /** Per upload lane: rows already at the target when last logged, and when. */
  private readonly alreadyPresentLogged = new Map<string, { count: number; at: number }>();

  constructor(private readonly deps: StorageMonitorDeps) {
    deps.log.onWorkerChange((change) => this.onLogWorker(change));
    deps.log.onRowsRejected((rows) => this.onRowsRejected(rows));
  }

  /** Rows the log refused for what they held: an event and the log (each time: a bad row is a bug to report, and rare). */
  onRowsRejected(rows: readonly RejectedRowInfo[]): void {
    if (rows.length === 0) return;
    const frames = rows.length === 1 ? `frame ${rows[0]!.frameId}` : `frames ${rows[0]!.frameId}–${rows.at(-1)!.frameId}`;
    const reasons = [...new Set(rows.map((r) => r.reason))].slice(0, 3).join('; ');
    const message =
      `${rows.length} decided row(s) were refused by the log for their content and not recorded (${frames}, captured ${rows[0]!.capturedAt}): ${reasons}; ` +
      `the rest of their batch was committed (${this.deps.log.rowsRejected} refused since start)`;
    this.deps.events.append({ at: new Date(), kind: 'storage', severity: 'warning', message, data: { rows: rows.slice(0, 20) } });
    this.deps.logger.warn(message);
  }

  /** Non-null while decisions cannot be recorded and storage.whenFull is fail-safe: the reason every item is rejected. */
  failSafeReason(): string | null {
    if (this.deps.config.whenFull !== 'fail-safe') return null;
    const writer = this.deps.log.writerStatus().health;
    if (writer.state !== 'failing') return null;
    return `decisions cannot be recorded: ${writer.fault?.message ?? 'the log cannot be written'} (storage.whenFull: fail-safe)`;
  }

  /** Called by the watchdog every 100 ms. */
  watch(): void {
    const { alarms, log, config } = this.deps;
    if (log.storageStatus()?.overCap) {
      alarms.raise(CAP_ALARM, 'storage', 'alarm', `data dir over its ${config.maxBytes}-byte cap: images dropped, inspections kept until uploaded`);
    } else alarms.clear(CAP_ALARM);
    const fault = this.currentFault();
    if (fault) alarms.raise(WRITE_ALARM, 'storage', 'alarm', this.writeAlarmMessage(fault));
    else alarms.clear(WRITE_ALARM);
    for (const lane of log.uploadStatus()) {
      const id = `upload:${lane.target}:${lane.stream}`;
      if (lane.failures >= 3)
        alarms.raise(
          id,
          'upload',
          'warning',
          `upload of ${lane.stream} to ${lane.target} failing (${lane.pending} waiting): ${lane.lastError ?? 'no reason given'}`,
        );
      else alarms.clear(id);
    }
    for (const aside of log.asideStatus()) this.noteAside(aside);
    this.noteAlreadyPresent();
  }

  /** The log worker stopped (a new one starts after a backoff), or runs again: each is an event, beside the storage alarm. */
  onLogWorker(change: LogWorkerChange): void {
    const { events, logger } = this.deps;
    if (change.state === 'down') {
      const message =
        `${change.reason}: starting it again in ${(change.retryInMs! / 1000).toFixed(1)} s; ` +
        `${change.waitingRows} decided row(s) wait in memory for it (up to ${this.deps.log.writerStatus().maxWaitingRows})`;
      events.append({ at: new Date(change.at), kind: 'storage', severity: 'warning', message, data: change });
      logger.error(message);
      return;
    }
    const lost = change.notRecorded > 0 ? `; ${change.notRecorded} decided row(s) could not be kept while it was down` : '';
    const message =
      `the log writer runs again after ${seconds(change.since, change.at)} s (restart ${change.restarts}; it had stopped: ${change.reason}): ` +
      `${change.waitingRows} decided row(s) that waited were sent to it${lost}`;
    events.append({ at: new Date(change.at), kind: 'storage', severity: change.notRecorded > 0 ? 'warning' : 'info', message, data: change });
    (change.notRecorded > 0 ? logger.warn : logger.info)(message);
  }

  /** The log worker's writer changed state: failing, or written again (with what waited and what was lost). */
  onWriter(status: WriterStatus, recovery?: WriterRecovery): void {
    const { logger, events } = this.deps;
    if (!recovery) {
      if (status.health.fault) logger.error(`log writes fail, decided rows wait in memory: ${status.health.fault.message}`);
      return;
    }
    const { episode, committedAfterWait, notRecorded } = recovery;
    const lost = notRecorded
      ? `; ${notRecorded.count} decided row(s) could not be recorded (frames ${notRecorded.firstFrameId}–${notRecorded.lastFrameId}, ` +
        `captured ${notRecorded.firstAt} to ${notRecorded.lastAt}): the queue in memory was full (storage.maxWaitingRows ${status.maxWaitingRows})`
      : '';
    const message =
      `the log is written again after ${seconds(episode.since, episode.until)} s (${episode.fault.message}; ${episode.failures} failed tries): ` +
      `${committedAfterWait} decided row(s) that waited were committed${lost}`;
    events.append({ at: new Date(episode.until), kind: 'storage', severity: notRecorded ? 'warning' : 'info', message, data: recovery });
    (notRecorded ? logger.warn : logger.info)(message);
  }

  /** The main connection (events, audit, settings, registry, benchmark runs) writes again. */
  onMainRecovered(episode: WriteEpisode): void {
    const message = `events, audit trail and settings are written again after ${seconds(episode.since, episode.until)} s (${episode.fault.message})`;
    this.deps.events.append({ at: new Date(episode.until), kind: 'storage', severity: 'info', message });
    this.deps.logger.info(message);
  }

  /** A technician's change could not be written and was not applied: kept as an event (written once the log can be). */
  onRefused(what: string, fault: StorageFault): void {
    const message = `${what} was not applied: ${fault.message}`;
    this.deps.events.append({ at: new Date(), kind: 'storage', severity: 'warning', message });
    this.deps.logger.warn(message);
  }

  /** The storage part of status.database. */
  databaseStatus(): Pick<
    StationStatus['database'],
    | 'writes'
    | 'writeProblem'
    | 'failingSince'
    | 'whenFull'
    | 'maxWaitingRows'
    | 'rowsNotRecorded'
    | 'rowsRejected'
    | 'eventsWaiting'
    | 'eventsNotRecorded'
    | 'writeFailures'
    | 'eventsRejected'
    | 'logWriterRestarts'
    | 'movedAside'
  > {
    const { log, writes, events, config } = this.deps;
    const writer = log.writerStatus();
    const main = writes.snapshot();
    const fault = this.currentFault();
    const since = [writer.health.since, main.since].filter((s): s is string => s !== null).sort()[0] ?? null;
    return {
      writes: fault ? 'failing' : 'ok',
      writeProblem: fault?.message ?? null,
      failingSince: since,
      whenFull: config.whenFull,
      maxWaitingRows: writer.maxWaitingRows,
      rowsNotRecorded: writer.notRecorded,
      rowsRejected: log.rowsRejected,
      eventsWaiting: events.status().waiting,
      eventsNotRecorded: events.status().notRecorded,
      writeFailures: writer.health.failures + main.failures,
      eventsRejected: events.status().rejected,
      logWriterRestarts: log.restarts,
      movedAside: log.asideStatus().map(({ unsentAtStart: _atStart, ...aside }) => aside),
    };
  }

  /** The inspections writer's fault first (it is what the line depends on), else the main connection's. */
  private currentFault(): StorageFault | null {
    return this.deps.log.writerStatus().health.fault ?? this.deps.writes.snapshot().fault;
  }

  private writeAlarmMessage(fault: StorageFault): string {
    const writer = this.deps.log.writerStatus();
    const lost = writer.notRecorded > 0 ? `, ${writer.notRecorded} could not be recorded` : '';
    const policy =
      this.deps.config.whenFull === 'fail-safe'
        ? 'every item is rejected until decisions can be recorded (storage.whenFull: fail-safe)'
        : 'items are still decided and sent (storage.whenFull: keep-deciding)';
    return `${fault.message}. ${writer.waitingRows} decided row(s) wait in memory (up to ${writer.maxWaitingRows})${lost}; ${policy}`;
  }

  /** A lane whose target said it already held rows: a warning (at most one a minute per lane) with the count since start. */
  private noteAlreadyPresent(): void {
    const now = Date.now();
    for (const lane of this.deps.log.uploadStatus()) {
      const id = `${lane.target}:${lane.stream}`;
      const logged = this.alreadyPresentLogged.get(id) ?? { count: 0, at: -Infinity };
      if (lane.alreadyPresent <= logged.count || now - logged.at < ALREADY_PRESENT_EVENT_EVERY_MS) continue;
      this.alreadyPresentLogged.set(id, { count: lane.alreadyPresent, at: now });
      const message =
        `${lane.alreadyPresent} ${lane.stream} row(s) sent to ${lane.target} since start were already there (same station, database id and seq) ` +
        `and were not stored again: another database uploaded under this one's id (${this.deps.log.databaseId || 'the id from before ids'}), or a target restored from backup`;
      this.deps.events.append({ at: new Date(), kind: 'upload', severity: 'warning', message, data: lane });
      this.deps.logger.warn(message);
    }
  }

  private noteAside(aside: AsideStatus): void {
    const seen = this.asideStates.get(aside.file);
    if (seen === aside.state) return;
    this.asideStates.set(aside.file, aside.state);
    const id = aside.databaseId === null ? '' : ` (database id ${aside.databaseId === '' ? 'from before ids' : aside.databaseId})`;
    // Seen for the first time with rows to send (a quick drain may already be done by the first look): said once.
    if (seen === undefined && aside.unsentAtStart !== null && aside.unsentAtStart > 0) {
      const message = `the moved-aside database ${aside.file}${id} holds ${aside.unsentAtStart} row(s) not yet uploaded: sending them`;
      this.deps.events.append({ at: new Date(), kind: 'upload', severity: 'info', message, data: aside });
      this.deps.logger.info(message);
    }
    let message: string | null = null;
    let severity: 'info' | 'warning' = 'info';
    if (aside.state === 'drained' && (seen !== undefined || (aside.unsentAtStart ?? 0) > 0)) {
      const held =
        aside.alreadyPresent > 0
          ? `, ${aside.alreadyPresent} of them already at a target under the same key (not stored again: check that no other file was uploaded under database id ${aside.databaseId ?? '?'})`
          : '';
      severity = aside.alreadyPresent > 0 ? 'warning' : 'info';
      message = `every row of the moved-aside database ${aside.file} is uploaded (${aside.sent} sent from it${held}); the file may be archived`;
    } else if (aside.state === 'unreadable') {
      severity = 'warning';
      message =
        `the moved-aside database ${aside.file}${id} cannot be uploaded (${aside.problem ?? 'unreadable'}): ` +
        `${aside.unsent ?? 'an unknown number of'} row(s) not uploaded stay in it; keep the file`;
    }
    if (message === null) return;
    this.deps.events.append({ at: new Date(), kind: 'upload', severity, message, data: aside });
    (severity === 'warning' ? this.deps.logger.warn : this.deps.logger.info)(message);
  }
}
