/**
 * Technician sign-in: scrypt hashes, wrong PINs counted to a lock-out per
 * technician, sign-out after idleLogoutS without activity, every step in the
 * event log. The clock is passed in: nothing here waits for real time.
 */
import { describe, expect, it } from 'vitest';
import { AuthConfigSchema, DEMO_PIN, DEMO_TECHNICIAN } from '../../../src/shared/access-config';
import { hashPin, PinHashError, verifyPin } from '../../../src/engine/auth/pin-hash';
import { SessionManager, SignInError, type SessionEvent } from '../../../src/engine/auth/session-manager';
import { SignInGuard } from '../../../src/engine/auth/sign-in-guard';

// A cheap cost for tests; the station's hashes use N = 16384.
const COST = { N: 1024, r: 8, p: 1 };

describe('PIN hashes', () => {
  it('verify the PIN they were made from and nothing else, salted anew each time', async () => {
    const a = await hashPin('4711', COST);
    const b = await hashPin('4711', COST);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPin('4711', a)).toBe(true);
    expect(await verifyPin('4712', a)).toBe(false);
    expect(await verifyPin('', a)).toBe(false);
  });

  it('the demo technician is PIN 1234', async () => {
    expect(await verifyPin(DEMO_PIN, DEMO_TECHNICIAN.pinHash)).toBe(true);
  });

  it('refuses a stored value that is not a hash (a PIN pasted into the config)', async () => {
    await expect(verifyPin('1234', '1234')).rejects.toThrow(PinHashError);
  });

  it('are what the config accepts, and a plain PIN is not', async () => {
    const hash = await hashPin('4711', COST);
    expect(AuthConfigSchema.safeParse({ technicians: [{ name: 'Ana', pinHash: hash }] }).success).toBe(true);
    const plain = AuthConfigSchema.safeParse({ technicians: [{ name: 'Ana', pinHash: '4711' }] });
    expect(plain.success).toBe(false);
    expect(plain.error?.issues[0]?.message).toMatch(/never the PIN itself/);
  });
});

describe('SignInGuard', () => {
  /** One whole wrong attempt. */
  const wrong = (guard: SignInGuard, name: string, now: number) => {
    expect(guard.begin(name, now)).toEqual({ allowed: true });
    return guard.failed(name, now);
  };

  it('locks a name after maxAttempts wrong PINs for lockoutS, then allows a fresh set', () => {
    const guard = new SignInGuard({ maxAttempts: 3, lockoutS: 60 });
    expect(wrong(guard, 'ana', 0)).toEqual({ triesLeft: 2, lockedUntil: null });
    expect(wrong(guard, 'ana', 1000)).toEqual({ triesLeft: 1, lockedUntil: null });
    expect(wrong(guard, 'ana', 2000)).toEqual({ triesLeft: 0, lockedUntil: 62_000 });
    expect(guard.begin('ana', 61_999)).toEqual({ allowed: false, reason: 'locked', lockedUntil: 62_000 });
    expect(wrong(guard, 'bo', 3000)).toEqual({ triesLeft: 2, lockedUntil: null });
    expect(wrong(guard, 'ana', 62_000)).toEqual({ triesLeft: 2, lockedUntil: null });
  });

  it('forgets the wrong PINs once the right one is typed', () => {
    const guard = new SignInGuard({ maxAttempts: 2, lockoutS: 60 });
    wrong(guard, 'ana', 0);
    expect(guard.begin('ana', 1)).toEqual({ allowed: true });
    guard.succeeded('ana');
    expect(wrong(guard, 'ana', 2)).toEqual({ triesLeft: 1, lockedUntil: null });
  });

  it('counts an attempt as wrong from the moment it begins, and checks one attempt per name at a time', () => {
    const guard = new SignInGuard({ maxAttempts: 2, lockoutS: 60 });
    expect(guard.begin('ana', 0)).toEqual({ allowed: true });
    // While the first is being checked, no other attempt for ana begins; bo is not held up.
    expect(guard.begin('ana', 0)).toEqual({ allowed: false, reason: 'busy' });
    expect(guard.begin('bo', 0)).toEqual({ allowed: true });
    expect(guard.failed('ana', 1)).toEqual({ triesLeft: 1, lockedUntil: null });
    expect(guard.begin('ana', 2)).toEqual({ allowed: true });
    // The second attempt is the last allowed: it was counted when it began.
    expect(guard.failed('ana', 3)).toEqual({ triesLeft: 0, lockedUntil: 60_003 });
    expect(guard.begin('ana', 4)).toMatchObject({ allowed: false, reason: 'locked' });
  });
});

describe('SessionManager', () => {
  async function setup(auth: object = {}) {
    let now = 1_000_000;
    const events: SessionEvent[] = [];
    const config = AuthConfigSchema.parse({
      technicians: [
        { name: 'ana', pinHash: await hashPin('2468', COST) },
        { name: 'bo', pinHash: await hashPin('1357', COST) },
      ],
      ...auth,
    });
    const manager = new SessionManager({ auth: config, now: () => now, onEvent: (e) => events.push(e) });
    return { manager, events, advance: (ms: number) => (now += ms), now: () => now };
  }

  it('starts every connection as an operator, and signs a technician in with the right PIN', async () => {
    const { manager, events } = await setup();
    const s = manager.open('websocket', '10.0.0.7');
    expect(s.info()).toMatchObject({ role: 'operator', user: null, expiresAt: null, technicians: ['ana', 'bo'], demoPin: false });
    const changes: string[] = [];
    s.onChange((i) => changes.push(i.role));
    const info = await s.signIn('ana', '2468');
    expect(info).toMatchObject({ role: 'technician', user: 'ana', transport: 'websocket', peer: '10.0.0.7' });
    expect(s.actor).toBe('ana (browser 10.0.0.7)');
    expect(changes).toEqual(['technician']);
    expect(manager.counts()).toEqual({ open: 1, technicians: 1 });
    expect(events.at(-1)).toEqual({ severity: 'info', message: 'ana (browser 10.0.0.7) signed in' });
  });

  it("counts wrong PINs per technician, locks that technician's sign-in, and says how long", async () => {
    const { manager, events, advance } = await setup({ maxAttempts: 3, lockoutS: 30 });
    const s = manager.open('ipc', 'desktop');
    await expect(s.signIn('ana', '0000')).rejects.toThrow('wrong PIN: 2 tries left before sign-in is locked');
    await expect(s.signIn('ana', '0001')).rejects.toThrow('wrong PIN: 1 try left before sign-in is locked');
    await expect(s.signIn('ana', '0002')).rejects.toThrow('wrong PIN: sign-in for ana is locked for 30 s');
    // Locked: even the right PIN is not tried.
    advance(10_000);
    await expect(s.signIn('ana', '2468')).rejects.toThrow('sign-in for ana is locked after too many wrong PINs; try again in 20 s');
    // Every session says who is locked and until when, for the sign-in dialog's countdown (issue 12).
    const other = manager.open('websocket', '10.0.0.9');
    // The clock starts at 1,000,000 ms; the third wrong PIN locked ana for 30 s then, 10 s ago.
    expect(s.info().signInLocks).toEqual([{ name: 'ana', until: new Date(1_030_000).toISOString(), remainingMs: 20_000 }]);
    expect(other.info().signInLocks).toEqual(s.info().signInLocks);
    // Another technician is not locked out by ana's mistakes, on another connection either.
    await expect(other.signIn('bo', '1357')).resolves.toMatchObject({ user: 'bo' });
    advance(19_000);
    expect(s.info().signInLocks).toMatchObject([{ name: 'ana', remainingMs: 1000 }]);
    advance(1000);
    expect(s.info().signInLocks).toEqual([]);
    await expect(s.signIn('ana', '2468')).resolves.toMatchObject({ role: 'technician' });
    expect(events.filter((e) => e.severity === 'warning').map((e) => e.message)).toEqual([
      'wrong PIN for ana (desktop)',
      'wrong PIN for ana (desktop)',
      'sign-in for ana locked for 30 s after 3 wrong PINs (desktop)',
    ]);
  });

  it('checks no more than maxAttempts PINs however many sign-ins are sent at once, on however many connections', async () => {
    const { manager } = await setup({ maxAttempts: 5, lockoutS: 60 });
    const connections = [manager.open('websocket', '10.0.0.66'), manager.open('websocket', '10.0.0.67')];
    // 200 guesses at once, the right PIN among them; then guesses one after another until refused.
    const guesses = Array.from({ length: 200 }, (_, i) => String(i).padStart(4, '0'));
    guesses[150] = '2468';
    const results = await Promise.allSettled(guesses.map((pin, i) => connections[i % 2]!.signIn('ana', pin)));
    const messages = results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'signed in'));
    expect(messages.filter((m) => m === 'signed in')).toEqual([]);
    expect(messages.filter((m) => m.startsWith('wrong PIN'))).toHaveLength(1);
    expect(messages.filter((m) => m.includes('is being checked'))).toHaveLength(199);
    let checked = 1;
    for (const pin of guesses.slice(1)) {
      const outcome = await connections[0]!.signIn('ana', pin).then(
        () => 'signed in',
        (err: Error) => err.message,
      );
      if (outcome.includes('is locked after too many')) break;
      expect(outcome).toMatch(/^wrong PIN/);
      checked++;
    }
    expect(checked).toBe(5);
    expect(connections.map((c) => c.role)).toEqual(['operator', 'operator']);
  });

  it('refuses a name that is not a technician here', async () => {
    const { manager } = await setup();
    await expect(manager.open('ipc', 'desktop').signIn('mallory', '2468')).rejects.toThrow(SignInError);
  });

  it('signs a technician out after idleLogoutS without activity; activity starts the clock again', async () => {
    const { manager, advance, now } = await setup({ idleLogoutS: 60 });
    const s = manager.open('ipc', 'desktop');
    await s.signIn('ana', '2468');
    expect(Date.parse(s.info().expiresAt!)).toBe(now() + 60_000);
    advance(50_000);
    s.touch();
    advance(50_000);
    manager.tick();
    expect(s.role).toBe('technician');
    advance(10_000);
    manager.tick();
    expect(s.info()).toMatchObject({ role: 'operator', user: null, endedBecause: 'no activity for 1 min' });
  });

  it('signs out when the connection closes, and forgets the session', async () => {
    const { manager, events } = await setup();
    const s = manager.open('websocket', '10.0.0.7');
    await s.signIn('bo', '1357');
    s.close();
    expect(manager.counts()).toEqual({ open: 0, technicians: 0 });
    expect(events.at(-1)?.message).toBe('bo (browser 10.0.0.7) signed out: the connection closed');
  });

  it('runs on the demo technician, flagged, when the config names none', () => {
    const manager = new SessionManager({ auth: AuthConfigSchema.parse({}) });
    expect(manager.open('ipc', 'desktop').info()).toMatchObject({ technicians: ['technician'], demoPin: true });
  });
});
