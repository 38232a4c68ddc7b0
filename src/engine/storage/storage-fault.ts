/**
 * What went wrong when the log could not be written, in words a technician
 * acts on. SQLite reports a full disk as SQLITE_FULL on any write (and on a
 * file that reached its max_page_count, storage.maxDatabaseBytes), a failing
 * disk as SQLITE_IOERR_*, a read-only file or mount as SQLITE_READONLY_*;
 * a file removed under a running station is noticed by file-identity.ts.
 * Issue 11, item 3: none of these may stop the line.
 */
export type StorageFaultKind = 'full' | 'io' | 'read-only' | 'gone' | 'corrupt' | 'other';

export interface StorageFault {
  readonly kind: StorageFaultKind;
  /** SQLite's code (SQLITE_FULL, SQLITE_IOERR_WRITE, …), or the station's own (GONE). */
  readonly code: string;
  /** What to tell a technician: the cause, the file, what to do. */
  readonly message: string;
}

function kindOf(code: string): StorageFaultKind {
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return 'full';
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') return 'io';
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'SQLITE_PERM') return 'read-only';
  if (code === 'SQLITE_CANTOPEN' || code === 'ENOENT') return 'gone';
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return 'corrupt';
  return 'other';
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

/** The fault behind a failed write, with the message for the alarm; `capped` says the file reached storage.maxDatabaseBytes. */
export function storageFaultOf(err: unknown, file: string, capped = false): StorageFault {
  if (err instanceof StorageFaultError) return err.fault;
  const code = codeOf(err);
  const kind = kindOf(code);
  const detail = err instanceof Error ? err.message : String(err);
  return { kind, code, message: describe(kind, file, code, detail, capped) };
}

function describe(kind: StorageFaultKind, file: string, code: string, detail: string, capped: boolean): string {
  switch (kind) {
    case 'full':
      return capped
        ? `the log file is full: ${file} reached its cap (storage.maxDatabaseBytes) (${code}); raise the cap or move old data out`
        : `the disk holding the log is full: ${file} cannot grow (${code}); free space on that disk`;
    case 'io':
      return `the disk holding the log fails to write: ${file} (${code}: ${detail}); check the disk and its connection`;
    case 'read-only':
      return `the log cannot be written: ${file} or its disk is read-only (${code}); make it writable again`;
    case 'gone':
      return `the log file ${file} was removed, replaced or cannot be opened (${code}); put it back or restart the station to start a new one`;
    case 'corrupt':
      return `the log file ${file} is damaged (${code}: ${detail}); at its next start the station moves it aside and starts a new one`;
    case 'other':
      return `the log cannot be written: ${file} (${code}: ${detail})`;
  }
}

/** An error from the log's storage (SQLite's, or the station's own check), as opposed to one from the code that was writing. */
export function isStorageError(err: unknown): boolean {
  return err instanceof StorageFaultError || codeOf(err).startsWith('SQLITE_');
}

/** SQLite's transient refusals (another connection holds the lock, memory ran short): the storage's, and tried again. */
const TRANSIENT = /^SQLITE_(BUSY|LOCKED|NOMEM|PROTOCOL)/;

/**
 * A failure of the storage itself (a full disk, an I/O error, a read-only, removed, damaged or locked file): counted in the
 * writer's health and tried again. Anything else — a constraint, a value SQLite cannot bind, a TypeError from the writer's own
 * code — is about what was written, not where: trying it again cannot help, and it must not raise the storage alarm.
 */
export function isStorageFault(err: unknown, file = 'the log'): boolean {
  if (err instanceof StorageFaultError) return true;
  if (!isStorageError(err)) return false;
  return storageFaultOf(err, file).kind !== 'other' || TRANSIENT.test(codeOf(err));
}

/** A fault found without SQLite's help (the file vanished), thrown where a write would have gone. */
export class StorageFaultError extends Error {
  override readonly name = 'StorageFaultError';
  constructor(readonly fault: StorageFault) {
    super(fault.message);
  }
}

/**
 * A change a technician asked for (thresholds, a model activation, a benchmark run) that could not be
 * written: nothing of it was applied, and the message says why.
 */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
  constructor(
    what: string,
    readonly fault: StorageFault,
  ) {
    super(`${what} was not applied: ${fault.message}`);
  }
}
