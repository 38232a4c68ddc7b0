/**
 * The log writer's health as a technician reads it, across the workers that come and go (log-client.ts): what
 * the running worker says, failing with the reason while none runs, and a failure count that goes on across
 * restarts.
 */
import type { WriterRecovery, WriterStatus } from '../storage/inspection-log';
import type { StorageFault } from '../storage/storage-fault';

export class WriterHealth {
  /** Writer failures counted by workers that are gone. */
  private earlierFailures = 0;
  private status: WriterStatus;

  constructor(private readonly maxWaitingRows: number) {
    this.status = this.ok();
  }

  current(): WriterStatus {
    return this.status;
  }

  /** No worker runs: failing, with why, until one runs again. */
  workerDown(reason: string, since: Date, heldRows: number): void {
    this.earlierFailures = this.status.health.failures + 1;
    const fault: StorageFault = { kind: 'other', code: 'LOG_WORKER', message: `${reason}; it is started again, decided rows wait in memory meanwhile` };
    this.status = {
      ...this.status,
      health: { state: 'failing', fault, since: since.toISOString(), failures: this.earlierFailures },
      waitingRows: heldRows,
    };
  }

  /** A new worker has the log open. */
  workerBack(): void {
    this.status = this.ok();
  }

  /** What the running worker says: true when the state changed, or it recovered (listeners are told). */
  heard(status: WriterStatus, recovery: WriterRecovery | undefined): boolean {
    const changed = status.health.state !== this.status.health.state || recovery !== undefined;
    this.status = { ...status, health: { ...status.health, failures: status.health.failures + this.earlierFailures } };
    return changed;
  }

  private ok(): WriterStatus {
    return {
      health: { state: 'ok', fault: null, since: null, failures: this.earlierFailures },
      waitingRows: 0,
      maxWaitingRows: this.maxWaitingRows,
      notRecorded: 0,
    };
  }
}
