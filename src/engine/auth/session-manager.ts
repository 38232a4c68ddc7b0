/**
 * One session per connection (the Electron window, a browser tab on the
 * WebSocket): an operator until a technician signs in with a PIN, back to an
 * operator on sign-out, on idleLogoutS without activity, or when the
 * connection closes. Wrong PINs count per technician (sign-in-guard.ts).
 * Sign-ins, sign-outs and lock-outs go to the station's event log.
 *
 * The clock is injected, and tick() is what expires idle sessions, so the
 * rules are tested without waiting; the engine calls tick every second.
 */
import { DEMO_TECHNICIAN, type AuthConfig } from '../../shared/access-config';
import type { SessionInfo } from '../../shared/session';
import { SignInGuard } from './sign-in-guard';
import { verifyPin } from './pin-hash';

export class SignInError extends Error {
  override readonly name = 'SignInError';
}

export interface SessionEvent {
  readonly severity: 'info' | 'warning';
  readonly message: string;
}

export interface SessionManagerOptions {
  readonly auth: AuthConfig;
  readonly now?: () => number;
  readonly onEvent?: (event: SessionEvent) => void;
}

type Transport = SessionInfo['transport'];

export class ClientSession {
  private user: string | null = null;
  private lastActivity = 0;
  private endedBecause: string | undefined;
  private readonly listeners = new Set<(info: SessionInfo) => void>();
  closed = false;

  constructor(
    private readonly manager: SessionManager,
    readonly transport: Transport,
    readonly peer: string,
  ) {}

  get role(): SessionInfo['role'] {
    return this.user === null ? 'operator' : 'technician';
  }

  /** How the audit trail names whoever is on this session. */
  get actor(): string {
    const where = this.transport === 'ipc' ? 'desktop' : `browser ${this.peer}`;
    return `${this.user ?? 'operator'} (${where})`;
  }

  info(): SessionInfo {
    const idleLogoutS = this.manager.idleLogoutS;
    return {
      role: this.role,
      user: this.user,
      transport: this.transport,
      peer: this.peer,
      expiresAt: this.user === null ? null : new Date(this.lastActivity + idleLogoutS * 1000).toISOString(),
      idleLogoutS,
      technicians: this.manager.technicianNames,
      demoPin: this.manager.demoPin,
      signInLocks: this.manager.signInLocks(),
      ...(this.endedBecause !== undefined ? { endedBecause: this.endedBecause } : {}),
    };
  }

  onChange(listener: (info: SessionInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  signIn(name: string, pin: string): Promise<SessionInfo> {
    return this.manager.signIn(this, name, pin);
  }

  signOut(reason?: string): SessionInfo {
    if (this.user !== null) {
      this.manager.report({ severity: 'info', message: `${this.actor} signed out${reason ? `: ${reason}` : ''}` });
      this.user = null;
      this.endedBecause = reason;
      this.changed();
    }
    return this.info();
  }

  /** Something the technician did: the idle clock starts again. */
  touch(): void {
    if (this.user !== null) this.lastActivity = this.manager.now();
  }

  close(): void {
    if (this.closed) return;
    this.signOut('the connection closed');
    this.closed = true;
    this.listeners.clear();
    this.manager.forget(this);
  }

  /** @internal */
  becomeTechnician(name: string, at: number): void {
    this.user = name;
    this.lastActivity = at;
    this.endedBecause = undefined;
    this.changed();
  }

  /** @internal */
  idleSince(now: number): number {
    return this.user === null ? 0 : now - this.lastActivity;
  }

  private changed(): void {
    const info = this.info();
    for (const l of this.listeners) l(info);
  }
}

export class SessionManager {
  private readonly sessions = new Set<ClientSession>();
  private readonly guard: SignInGuard;
  private readonly technicians: ReadonlyMap<string, string>;
  readonly demoPin: boolean;
  readonly now: () => number;

  constructor(private readonly opts: SessionManagerOptions) {
    const list = opts.auth.technicians ?? [DEMO_TECHNICIAN];
    this.technicians = new Map(list.map((t) => [t.name, t.pinHash]));
    this.demoPin = opts.auth.technicians === undefined;
    this.guard = new SignInGuard({ maxAttempts: opts.auth.maxAttempts, lockoutS: opts.auth.lockoutS });
    this.now = opts.now ?? Date.now;
  }

  get idleLogoutS(): number {
    return this.opts.auth.idleLogoutS;
  }

  get technicianNames(): string[] {
    return [...this.technicians.keys()];
  }

  /** Sign-ins locked now, machine-readable for the sign-in dialog's countdown (issue 12). */
  signInLocks(): SessionInfo['signInLocks'] {
    const now = this.now();
    return this.guard.locks(now).map((l) => ({ name: l.name, until: new Date(l.lockedUntil).toISOString(), remainingMs: l.lockedUntil - now }));
  }

  open(transport: Transport, peer: string): ClientSession {
    const session = new ClientSession(this, transport, peer);
    this.sessions.add(session);
    return session;
  }

  /** Sessions open now, and how many of them are signed in as technicians. */
  counts(): { open: number; technicians: number } {
    let technicians = 0;
    for (const s of this.sessions) if (s.role === 'technician') technicians++;
    return { open: this.sessions.size, technicians };
  }

  /** Signs out every technician idle for idleLogoutS or longer. */
  tick(): void {
    const now = this.now();
    const limitMs = this.idleLogoutS * 1000;
    for (const s of this.sessions) {
      if (s.role === 'technician' && s.idleSince(now) >= limitMs) s.signOut(`no activity for ${formatDuration(this.idleLogoutS)}`);
    }
  }

  /** @internal */
  async signIn(session: ClientSession, name: string, pin: string): Promise<SessionInfo> {
    const hash = this.technicians.get(name);
    if (hash === undefined) throw new SignInError(`there is no technician named "${name}" on this station`);
    // The attempt is counted before the hash is checked, and one at a time per technician (sign-in-guard.ts).
    const verdict = this.guard.begin(name, this.now());
    if (!verdict.allowed) {
      if (verdict.reason === 'busy') throw new SignInError(`a sign-in for ${name} is being checked: wait a moment and try again`);
      throw new SignInError(`sign-in for ${name} is locked after too many wrong PINs; try again in ${secondsUntil(verdict.lockedUntil, this.now())} s`);
    }
    let right = false;
    try {
      right = await verifyPin(pin, hash);
    } finally {
      if (right) this.guard.succeeded(name);
      else this.wrongPin(session, name);
    }
    if (session.closed) throw new SignInError('the connection closed');
    session.becomeTechnician(name, this.now());
    this.report({ severity: 'info', message: `${session.actor} signed in` });
    return session.info();
  }

  /** Counts a wrong PIN (the guard counted it when the attempt began), says so in the event log, and throws. */
  private wrongPin(session: ClientSession, name: string): never {
    const { triesLeft, lockedUntil } = this.guard.failed(name, this.now());
    if (lockedUntil !== null) {
      this.report({
        severity: 'warning',
        message: `sign-in for ${name} locked for ${this.opts.auth.lockoutS} s after ${this.opts.auth.maxAttempts} wrong PINs (${session.peer})`,
      });
      throw new SignInError(`wrong PIN: sign-in for ${name} is locked for ${this.opts.auth.lockoutS} s`);
    }
    this.report({ severity: 'warning', message: `wrong PIN for ${name} (${session.peer})` });
    throw new SignInError(`wrong PIN: ${triesLeft} ${triesLeft === 1 ? 'try' : 'tries'} left before sign-in is locked`);
  }

  /** @internal */
  forget(session: ClientSession): void {
    this.sessions.delete(session);
  }

  /** @internal */
  report(event: SessionEvent): void {
    this.opts.onEvent?.(event);
  }
}

const secondsUntil = (at: number, now: number): number => Math.max(1, Math.ceil((at - now) / 1000));

function formatDuration(s: number): string {
  return s % 60 === 0 ? `${s / 60} min` : `${s} s`;
}
