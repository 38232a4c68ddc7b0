/**
 * Every write on the engine's main connection goes through here: events,
 * the audit trail, settings, the model registry's activations, benchmark
 * runs. A write that fails because of the storage (a full disk, an I/O
 * error, a read-only or vanished file) is counted in the connection's
 * health, which raises the storage alarm (station-engine.ts watchStorage);
 * a technician's change is refused whole with a clear message
 * (StorageUnavailableError) rather than half applied; writes the station
 * makes on its own (events) are kept by their owner and tried again
 * (event-log.ts). Issue 11, item 3. Only the storage's own failures count
 * (isStorageFault): a write refused for what it holds is no storage alarm,
 * and is not tried again.
 */
import type { SqliteDatabase } from './database';
import { reachedCap } from './database-cap';
import type { FileIdentity } from './file-identity';
import { isStorageFault, StorageUnavailableError, storageFaultOf, type StorageFault } from './storage-fault';
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

/** How a write the station makes on its own went: written; failed on the storage (keep it, try again); or rejected for itself. */
export type WriteOutcome =
  { readonly written: true } | { readonly written: false; readonly fault: StorageFault } | { readonly written: false; readonly rejected: Error };

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
    let value: T;
    try {
      this.options.identity?.assert();
      value = this.db.transaction(write)();
    } catch (err) {
      throw this.explain(what, err);
    }
    this.landed();
    return value;
  }

  /** A write the station makes on its own: false when it failed (see tryWrite: only a storage failure is worth another try). */
  attempt(write: () => void): boolean {
    return this.tryWrite(write).written;
  }

  /**
   * A write the station makes on its own, in one transaction. Only a failure of the storage (isStorageFault) counts as a
   * fault in the connection's health (the storage alarm) and is worth another try; any other error (a value SQLite cannot
   * bind, a constraint, a bug) is returned as `rejected`: the caller drops that write rather than retrying it forever.
   */
  tryWrite(write: () => void): WriteOutcome {
    try {
      this.options.identity?.assert();
      this.db.transaction(write)();
    } catch (err) {
      if (!isStorageFault(err, this.options.path)) return { written: false, rejected: err instanceof Error ? err : new Error(String(err)) };
      const fault = this.faultOf(err);
      this.health.failed(fault);
      return { written: false, fault };
    }
    this.landed();
    return { written: true };
  }

  /**
   * For a write made elsewhere (an import storing a model): a storage failure is counted and turned into a
   * StorageUnavailableError naming `what`; anything else is returned as it was.
   */
  explain(what: string, err: unknown): Error {
    // Only the storage's failures: an import's own ENOENT or EACCES is about the model's folder, and a constraint about the data.
    if (!isStorageFault(err, this.options.path)) return err instanceof Error ? err : new Error(String(err));
    const fault = this.faultOf(err);
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
