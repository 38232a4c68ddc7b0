/**
 * Every write on the engine's main connection goes through here: events,
 * the audit trail, settings, the model registry's activations, benchmark
 * runs. A write that fails because of the storage (a full disk, an I/O
 * error, a read-only or vanished file) is counted in the connection's
 * health, which raises the storage alarm (station-engine.ts watchStorage);
 * a technician's change is refused whole with a clear message
 * (StorageUnavailableError) rather than half applied; writes the station
 * makes on its own (events) are kept by their owner and tried again
 * (event-log.ts). Issue 11, item 3.
 */
import type { SqliteDatabase } from './database';
import { reachedCap } from './database-cap';
import type { FileIdentity } from './file-identity';
import { StorageUnavailableError, storageFaultOf, type StorageFault } from './storage-fault';
import { WriteHealth, type WriteEpisode, type WriteHealthSnapshot } from './write-health';

export interface MainWritesOptions {
  readonly path: string;
  readonly identity?: FileIdentity | null;
  /** A technician's change was refused: the engine records it as an event (kept until it can be written). */
  readonly onRefused?: (what: string, fault: StorageFault) => void;
  /** The main connection's writes landed again after failing. */
  readonly onRecovered?: (episode: WriteEpisode) => void;
  readonly now?: () => Date;
}

export class MainWrites {
  private readonly health: WriteHealth;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly options: MainWritesOptions,
  ) {
    this.health = new WriteHealth(options.now);
  }

  get failing(): boolean {
    return this.health.failing;
  }

  snapshot(): WriteHealthSnapshot {
    return this.health.snapshot();
  }

  /**
   * A change a technician asked for, in one transaction: all of it is written or none, and a storage
   * failure becomes a StorageUnavailableError that names what was not applied. Other errors pass unchanged.
   */
  run<T>(what: string, write: () => T): T {
    try {
      this.options.identity?.assert();
      const value = this.db.transaction(write)();
      this.landed();
      return value;
    } catch (err) {
      throw this.explain(what, err);
    }
  }

  /** A write the station makes on its own: false when it failed (the caller keeps it and tries again later). */
  attempt(write: () => void): boolean {
    try {
      this.options.identity?.assert();
      this.db.transaction(write)();
      this.landed();
      return true;
    } catch (err) {
      this.health.failed(this.faultOf(err));
      return false;
    }
  }

  /**
   * For a write made elsewhere (an import storing a model): a storage failure is counted and turned into a
   * StorageUnavailableError naming `what`; anything else is returned as it was.
   */
  explain(what: string, err: unknown): Error {
    const fault = this.faultOf(err);
    if (fault.kind === 'other') return err instanceof Error ? err : new Error(String(err));
    this.health.failed(fault);
    this.options.onRefused?.(what, fault);
    return new StorageUnavailableError(what, fault);
  }

  private faultOf(err: unknown): StorageFault {
    return storageFaultOf(err, this.options.path, reachedCap(this.db));
  }

  private landed(): void {
    const episode = this.health.succeeded();
    if (episode) this.options.onRecovered?.(episode);
  }
}
