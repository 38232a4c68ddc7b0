/**
 * The rules at the station's network boundary, each on its own, with the
 * clock passed in: the token bucket, the per-client request gate, the names
 * the station answers to, and the files of the UI it serves.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTransportCounters } from '../../src/shared/status';
import { HostPolicy, hostNameOf } from '../../src/station/host-policy';
import { RequestGate, type GateClock, type GateLimits, type GatedSocket } from '../../src/station/request-gate';
import { regularFilesUnder, routeStatic } from '../../src/station/static-files';
import { TokenBucket } from '../../src/station/token-bucket';
import { useTempDirs } from '../helpers/temp-dir';

describe('TokenBucket', () => {
  it('gives a burst, then ratePerS a second, and says how long to wait', () => {
    const bucket = new TokenBucket(10, 3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
    expect(bucket.waitMs(0)).toBe(100);
    expect(bucket.take(99)).toBe(false);
    expect(bucket.take(100)).toBe(true);
    // Saved up to the burst only.
    expect(bucket.waitMs(10_000)).toBe(0);
    expect([bucket.take(10_000), bucket.take(10_000), bucket.take(10_000), bucket.take(10_000)]).toEqual([true, true, true, false]);
  });
});

/** A clock whose timers run when the test moves time on. */
function manualClock(): GateClock & { advance(ms: number): void } {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.fn();
      }
      now = until;
    },
  };
}

class FakeSocket implements GatedSocket {
  bufferedAmount = 0;
  paused = false;
  closed: { code: number; reason: string } | null = null;
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }
}

const LIMITS: GateLimits = {
  requestsPerS: 10,
  burst: 2,
  maxInFlight: 2,
  maxQueuedBytes: 100,
  softBufferedBytes: 1000,
  hardBufferedBytes: 5000,
  stalledMs: 3000,
};

function gateWith(limits: GateLimits = LIMITS, shared = new TokenBucket(1000, 1000, 0)) {
  const clock = manualClock();
  const socket = new FakeSocket();
  const counters = createTransportCounters();
  const handled: string[] = [];
  const pending: (() => void)[] = [];
  const gate = new RequestGate(
    socket,
    (data) => {
      handled.push(data.toString());
      return new Promise<void>((resolve) => pending.push(resolve));
    },
    shared,
    counters,
    limits,
    clock,
  );
  const finishAll = async (): Promise<void> => {
    for (const done of pending.splice(0)) done();
    await new Promise((r) => setImmediate(r));
  };
  return { gate, socket, counters, handled, clock, finishAll };
}

describe('RequestGate', () => {
  it('answers a burst, then at most requestsPerS, pausing the socket instead of answering with refusals', async () => {
    const { gate, socket, counters, handled, clock, finishAll } = gateWith({ ...LIMITS, maxInFlight: 100 });
    for (let i = 0; i < 5; i++) gate.offer(`r${i}`, false);
    expect(handled).toEqual(['r0', 'r1']);
    expect(socket.paused).toBe(true);
    expect(counters.throttled).toBe(1);
    clock.advance(100);
    expect(handled).toEqual(['r0', 'r1', 'r2']);
    clock.advance(200);
    expect(handled).toHaveLength(5);
    await finishAll();
    expect(socket.paused).toBe(false);
  });

  it('has at most maxInFlight requests answered at once', async () => {
    const { gate, handled, socket, finishAll } = gateWith({ ...LIMITS, burst: 100, requestsPerS: 1000 });
    for (let i = 0; i < 4; i++) gate.offer(`r${i}`, false);
    expect(handled).toEqual(['r0', 'r1']);
    expect(socket.paused).toBe(true);
    await finishAll();
    expect(handled).toEqual(['r0', 'r1', 'r2', 'r3']);
    await finishAll();
    expect(socket.paused).toBe(false);
  });

  it('closes a client that piles up more than maxQueuedBytes of requests', () => {
    const { gate, socket, counters } = gateWith({ ...LIMITS, maxInFlight: 1 });
    for (let i = 0; i < 20; i++) gate.offer('x'.repeat(10), false);
    expect(socket.closed).toEqual({ code: 1008, reason: 'too many requests waiting: slow down' });
    expect(counters.closedFlooding).toBe(1);
  });

  it('stops answering a client that does not read its replies, and closes it when it never does', () => {
    const { gate, socket, counters, handled, clock } = gateWith({ ...LIMITS, burst: 100, requestsPerS: 1000, maxInFlight: 100 });
    socket.bufferedAmount = 2000;
    gate.offer('a', false);
    expect(handled).toEqual([]);
    expect(socket.paused).toBe(true);
    // It reads a little: the clock of its stall starts again.
    clock.advance(2000);
    socket.bufferedAmount = 1500;
    clock.advance(2000);
    expect(socket.closed).toBeNull();
    // Then nothing, for stalledMs.
    clock.advance(3100);
    expect(socket.closed).toEqual({ code: 1008, reason: 'replies not read: connection closed' });
    expect(counters.closedNotReading).toBe(1);
    expect(handled).toEqual([]);
  });

  it('answers again once the client has read its replies', () => {
    const { gate, socket, handled, clock } = gateWith({ ...LIMITS, burst: 100, requestsPerS: 1000, maxInFlight: 100 });
    socket.bufferedAmount = 2000;
    gate.offer('a', false);
    socket.bufferedAmount = 0;
    clock.advance(60);
    expect(handled).toEqual(['a']);
  });

  it('closes a client past hardBufferedBytes at once', () => {
    const { gate, socket, counters } = gateWith();
    socket.bufferedAmount = 6000;
    expect(gate.checkBacklog()).toBe(false);
    expect(socket.closed?.code).toBe(1008);
    expect(counters.closedNotReading).toBe(1);
  });

  it('shares one bucket among all clients', () => {
    const shared = new TokenBucket(1, 3, 0);
    const a = gateWith({ ...LIMITS, burst: 100, requestsPerS: 1000, maxInFlight: 100 }, shared);
    const b = gateWith({ ...LIMITS, burst: 100, requestsPerS: 1000, maxInFlight: 100 }, shared);
    for (let i = 0; i < 3; i++) a.gate.offer(`a${i}`, false);
    for (let i = 0; i < 3; i++) b.gate.offer(`b${i}`, false);
    expect(a.handled.length + b.handled.length).toBe(3);
  });
});

describe('HostPolicy', () => {
  const policy = (boundHost: string, allowedHosts: string[] = []) =>
    new HostPolicy({ allowedHosts, machineName: 'Line3-PC', boundHost, machineAddresses: ['10.0.0.5', 'fe80::1%eth0', '127.0.0.1'] });

  it('answers to loopback, localhost, its own name and the configured names, and to nothing a foreign DNS controls', () => {
    const p = policy('127.0.0.1', ['station-3.plant.example', '.lines.example']);
    for (const host of [
      '127.0.0.1:5780',
      'localhost:5780',
      'LOCALHOST',
      '[::1]:5780',
      'line3-pc',
      'line3-pc.local:80',
      'station-3.plant.example',
      'a.lines.example',
      'lines.example',
    ])
      expect(p.allowsHost(host), host).toBe(true);
    for (const host of ['evil.example:5780', 'station-3.plant.example.evil.com', 'xlines.example', '10.0.0.99', '', 'a b', undefined])
      expect(p.allowsHost(host), String(host)).toBe(false);
  });

  it("bound to every address, answers to each of this PC's addresses", () => {
    const p = policy('0.0.0.0');
    expect(p.allowsHost('10.0.0.5:5780')).toBe(true);
    expect(p.allowsHost('[fe80::1]:5780')).toBe(true);
    expect(p.allowsHost('10.0.0.6:5780')).toBe(false);
    expect(policy('10.0.0.5').allowsHost('10.0.0.5')).toBe(true);
  });

  it("takes a browser's Origin only from the station's own page", () => {
    const p = policy('127.0.0.1');
    expect(p.allowsOrigin(undefined, '127.0.0.1:5780')).toBe(true);
    expect(p.allowsOrigin('http://127.0.0.1:5780', '127.0.0.1:5780')).toBe(true);
    expect(p.allowsOrigin('http://localhost:5780', '127.0.0.1:5780')).toBe(false);
    expect(p.allowsOrigin('http://evil.example:5780', 'evil.example:5780')).toBe(false);
    expect(p.allowsOrigin('null', '127.0.0.1:5780')).toBe(false);
    expect(p.allowsOrigin('file://', '127.0.0.1:5780')).toBe(false);
  });

  it('reads host names out of Host headers', () => {
    expect(hostNameOf('Example.COM:80')).toBe('example.com');
    expect(hostNameOf('[::1]:5780')).toBe('::1');
    expect(hostNameOf('[::1]x')).toBeNull();
    expect(hostNameOf('a/b')).toBeNull();
  });
});

describe('static UI files', () => {
  const tempDir = useTempDirs();

  it('serves regular files under the UI folder and nothing a link leads to', () => {
    const root = tempDir();
    const outside = tempDir();
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    mkdirSync(join(outside, 'dir'));
    writeFileSync(join(outside, 'dir', 'x.js'), 'x');
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<html>');
    writeFileSync(join(root, 'assets', 'app.js'), 'app');
    writeFileSync(join(root, '.env'), 'hidden');
    symlinkSync(join(outside, 'secret.txt'), join(root, 'assets', 'leak.txt'));
    symlinkSync(join(outside, 'dir'), join(root, 'linked'));
    const files = regularFilesUnder(root);
    expect([...files].sort()).toEqual(['/assets/app.js', '/index.html']);
    expect(routeStatic('/assets/app.js', files)).toBe('file');
    expect(routeStatic('/', files)).toBe('app');
    expect(routeStatic('/diagnostics', files)).toBe('app');
    expect(routeStatic('/assets/leak.txt', files)).toBe('refused');
    expect(routeStatic('/linked/x.js', files)).toBe('refused');
    expect(routeStatic('/.env', files)).toBe('refused');
  });
});
