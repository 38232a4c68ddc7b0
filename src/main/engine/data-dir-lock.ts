/**
 * One station per data folder. Two stations on one folder both started and
 * wrote the same SQLite file, each with its own idea of what was uploaded
 * (issue 11). The first takes `station.lock` (created exclusively, holding
 * its pid, host, start time and the PC's boot time); a second is refused
 * with a message naming the first. A lock left by a process that is gone
 * (killed, or the PC restarted) is taken over, so a station restarted after
 * a crash starts at once.
 *
 * A pid file rather than a lock library: proper-lockfile (mkdir + mtime
 * refreshes) takes a crashed owner's lock over only after its stale time, so
 * a station restarted by its service after a crash would be refused for
 * seconds, and it cannot say who holds the lock.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname, uptime } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = 'station.lock';

export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  /** When the PC started, to the minute: a lock from before a restart is stale whatever its pid. */
  readonly bootedAt: number;
  readonly command: string;
}

const bootedAt = (): number => Math.round((Date.now() - uptime() * 1000) / 60_000);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? (owner as LockOwner) : null;
  } catch {
    return null;
  }
}

/** The owner still holds the lock: the same PC, not restarted since, and its process is there. */
function holds(owner: LockOwner | null): owner is LockOwner {
  if (!owner || owner.host !== hostname() || Math.abs(owner.bootedAt - bootedAt()) > 1) return false;
  return owner.pid !== process.pid && alive(owner.pid);
}

/** Data folders this process holds: a second engine in the same process is refused too. */
const heldHere = new Set<string>();

export class DataDirLock {
  private released = false;

  private constructor(private readonly path: string) {}

  /** Takes the data folder for this process, or throws DataDirInUseError naming the station that has it. */
  static acquire(dataDir: string, command = process.argv.slice(1).join(' ')): DataDirLock {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, LOCK_FILE);
    if (heldHere.has(path)) throw new DataDirInUseError(`a LineSight station in this process is already using the data folder ${dataDir}`);
    const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), bootedAt: bootedAt(), command };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        try {
          writeSync(fd, JSON.stringify(me));
        } finally {
          closeSync(fd);
        }
        heldHere.add(path);
        return new DataDirLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = readOwner(path);
      if (holds(owner)) {
        throw new DataDirInUseError(
          `another LineSight station is using the data folder ${dataDir}: process ${owner.pid} (${owner.command || 'no command line'}), started ${owner.startedAt}. ` +
            'Stop it, or give this one its own --data-dir',
        );
      }
      // Left by a process that is gone: take it over (if two take it over at once, the exclusive create decides).
      try {
        unlinkSync(path);
      } catch {
        // another starting station removed it first
      }
    }
    throw new DataDirInUseError(`the data folder ${dataDir} is being taken by another station starting at the same time`);
  }

  /** Gives the folder back (at stop). The lock is also taken over once this process is gone. */
  release(): void {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.path);
    const owner = readOwner(this.path);
    if (owner?.pid !== process.pid) return;
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}
