/**
 * Lock-out after repeated wrong PINs, per technician: maxAttempts wrong PINs
 * in a row lock that name for lockoutS; a right PIN clears the count. Pure:
 * the clock is passed in, so the rules are tested without waiting.
 *
 * An attempt counts as a wrong PIN from the moment it begins, before the
 * (slow, awaited) hash is checked, and only one attempt per technician is
 * checked at a time, on any connection: 200 sign-ins sent at once once got
 * 199 "wrong PIN" and a success past a 5-try lock-out, because the guard was
 * asked before the hash and told after it (issue 11).
 */
export interface GuardRules {
  readonly maxAttempts: number;
  readonly lockoutS: number;
}

interface Record {
  failures: number;
  lockedUntil: number | null;
  /** An attempt for this name is being checked now. */
  checking: boolean;
}

export type GuardVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: 'locked'; readonly lockedUntil: number }
  | { readonly allowed: false; readonly reason: 'busy' };

export class SignInGuard {
  private readonly records = new Map<string, Record>();

  constructor(private readonly rules: GuardRules) {}

  /**
   * Begins an attempt for this name: refused while the name is locked or another attempt for it is being
   * checked; else counted as a wrong PIN until succeeded() says otherwise. Every allowed begin() ends in
   * succeeded() or failed().
   */
  begin(name: string, now: number): GuardVerdict {
    const r = this.record(name);
    if (r.lockedUntil !== null) {
      if (now < r.lockedUntil) return { allowed: false, reason: 'locked', lockedUntil: r.lockedUntil };
      // The lock has run out: a fresh set of attempts.
      r.lockedUntil = null;
      r.failures = 0;
    }
    if (r.checking) return { allowed: false, reason: 'busy' };
    r.checking = true;
    r.failures++;
    return { allowed: true };
  }

  /** The attempt's PIN was wrong (or could not be checked): how many tries are left, or until when the name is locked. */
  failed(name: string, now: number): { readonly triesLeft: number; readonly lockedUntil: number | null } {
    const r = this.record(name);
    r.checking = false;
    if (r.failures >= this.rules.maxAttempts) {
      r.lockedUntil = now + this.rules.lockoutS * 1000;
      return { triesLeft: 0, lockedUntil: r.lockedUntil };
    }
    return { triesLeft: this.rules.maxAttempts - r.failures, lockedUntil: null };
  }

  /** The names locked at `now`, each with the moment its lock runs out. */
  locks(now: number): { readonly name: string; readonly lockedUntil: number }[] {
    const locked: { name: string; lockedUntil: number }[] = [];
    for (const [name, r] of this.records) if (r.lockedUntil !== null && now < r.lockedUntil) locked.push({ name, lockedUntil: r.lockedUntil });
    return locked;
  }

  /** The attempt's PIN was right: the count starts again. */
  succeeded(name: string): void {
    this.records.delete(name);
  }

  private record(name: string): Record {
    let r = this.records.get(name);
    if (!r) this.records.set(name, (r = { failures: 0, lockedUntil: null, checking: false }));
    return r;
  }
}
