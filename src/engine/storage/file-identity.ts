/**
 * Notices a log file removed or replaced under a running station. SQLite
 * keeps writing into an unlinked file without an error (checked on this
 * machine), so every row written after the removal would be lost at close;
 * comparing the path's inode with the one opened catches it before a commit.
 */
import { statSync } from 'node:fs';
import { StorageFaultError, storageFaultOf, type StorageFault } from './storage-fault';

export class FileIdentity {
  private readonly ino: number;
  private readonly dev: number;

  constructor(private readonly path: string) {
    const st = statSync(path);
    this.ino = st.ino;
    this.dev = st.dev;
  }

  /** Null while the path still names the file that was opened. */
  check(): StorageFault | null {
    try {
      const st = statSync(this.path);
      if (st.ino === this.ino && st.dev === this.dev) return null;
      return storageFaultOf({ code: 'SQLITE_CANTOPEN', message: 'replaced by another file' }, this.path);
    } catch (err) {
      return storageFaultOf(err, this.path);
    }
  }

  /** Throws the fault, for code that reports failures by catching them. */
  assert(): void {
    const fault = this.check();
    if (fault) throw new StorageFaultError(fault);
  }
}
