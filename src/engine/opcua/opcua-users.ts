/**
 * Who may sign in to the OPC UA server with a user name and password (issue
 * 17). Every attempt is hostile input until the hash says otherwise:
 *
 * - passwords are checked against the config's scrypt hashes (verifyPin, on
 *   libuv's thread pool, never on the station's thread);
 * - maxAttempts wrong passwords in a row lock the name for lockoutS
 *   (SignInGuard, the same rules as the technicians' PINs; one attempt per
 *   name checked at a time);
 * - an unknown name costs as long as a known one (its password is checked
 *   against a configured hash and refused whatever the result), so timing
 *   does not tell which names exist, and it leaves no record behind, so a
 *   flood of made-up names cannot grow memory;
 * - at most MAX_CHECKING hashes are computed at once: scrypt takes the thread
 *   pool that also decodes the line's pictures, so a flood of sign-ins is
 *   refused, not queued, and the line keeps its rate.
 */
import type { OpcUaServerConfig } from '../../shared/opcua-config';
import { SignInGuard } from '../auth/sign-in-guard';
import { verifyPin } from '../auth/pin-hash';

/** Hashes computed at once; more sign-ins meanwhile are refused (counted as failed). */
const MAX_CHECKING = 2;
/** Longer is no password anyone types: refused before it is hashed. */
const MAX_PASSWORD_CHARS = 1024;

export class OpcUaUsers {
  private readonly hashes: ReadonlyMap<string, string>;
  private readonly guard: SignInGuard;
  private readonly lockoutS: number;
  private checking = 0;
  /** Sign-ins refused: wrong password, unknown name, locked, too many at once. */
  failed = 0;

  constructor(
    config: Pick<OpcUaServerConfig, 'users' | 'maxAttempts' | 'lockoutS'>,
    /** A name was just locked out (told once per lock, for the event log). */
    private readonly onLocked: (name: string, lockoutS: number) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.hashes = new Map(config.users.map((u) => [u.name, u.passwordHash]));
    this.guard = new SignInGuard({ maxAttempts: config.maxAttempts, lockoutS: config.lockoutS });
    this.lockoutS = config.lockoutS;
  }

  /** Whether this name and password sign in. Never throws: anything that goes wrong refuses. */
  async check(name: string, password: string): Promise<boolean> {
    if (typeof name !== 'string' || typeof password !== 'string' || password.length > MAX_PASSWORD_CHARS || this.checking >= MAX_CHECKING) return this.refuse();
    const hash = this.hashes.get(name);
    this.checking++;
    try {
      if (hash === undefined) {
        const any = this.hashes.values().next();
        if (!any.done) await verifyPin(password, any.value).catch(() => false);
        return this.refuse();
      }
      const verdict = this.guard.begin(name, this.now());
      if (!verdict.allowed) return this.refuse();
      // A hash that cannot be checked refuses, like a wrong password.
      if (await verifyPin(password, hash).catch(() => false)) {
        this.guard.succeeded(name);
        return true;
      }
      const after = this.guard.failed(name, this.now());
      if (after.lockedUntil !== null) this.onLocked(name, this.lockoutS);
      return this.refuse();
    } finally {
      this.checking--;
    }
  }

  private refuse(): false {
    this.failed++;
    return false;
  }
}
