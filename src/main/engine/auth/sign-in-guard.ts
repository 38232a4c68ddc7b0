/**
 * Lock-out after repeated wrong PINs, per technician: maxAttempts wrong PINs
 * in a row lock that name for lockoutS; a right PIN clears the count. Pure:
 * the clock is passed in, so the rules are tested without waiting.
 */
export interface GuardRules {
  readonly maxAttempts: number;
  readonly lockoutS: number;
}

interface Record {
  failures: number;
  lockedUntil: number | null;
}

export type GuardVerdict = { readonly allowed: true } | { readonly allowed: false; readonly lockedUntil: number };

export class SignInGuard {
  private readonly records = new Map<string, Record>();

  constructor(private readonly rules: GuardRules) {}

  /** Whether a PIN may be tried for this name now. */
  check(name: string, now: number): GuardVerdict {
    const r = this.records.get(name);
    if (r?.lockedUntil != null) {
      if (now < r.lockedUntil) return { allowed: false, lockedUntil: r.lockedUntil };
      // The lock has run out: a fresh set of attempts.
      r.lockedUntil = null;
      r.failures = 0;
    }
    return { allowed: true };
  }

  /** A wrong PIN: how many tries are left, or until when the name is locked. */
  failed(name: string, now: number): { readonly triesLeft: number; readonly lockedUntil: number | null } {
    const r = this.records.get(name) ?? { failures: 0, lockedUntil: null };
    this.records.set(name, r);
    r.failures++;
    if (r.failures >= this.rules.maxAttempts) {
      r.lockedUntil = now + this.rules.lockoutS * 1000;
      return { triesLeft: 0, lockedUntil: r.lockedUntil };
    }
    return { triesLeft: this.rules.maxAttempts - r.failures, lockedUntil: null };
  }

  succeeded(name: string): void {
    this.records.delete(name);
  }
}
