/**
 * Attacks on the station's network boundary, against the built station in
 * its own process (issue 11, items 1, 2 and 4): malformed WebSocket frames,
 * a foreign Host or Origin, 200 sign-ins at once, a client that never reads
 * its replies, and a flood of requests. After each, the station must still
 * be up and classifying, and the attack counted in its status.
 */
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StationStatus } from '../../src/shared/status';
import { ServerConfigSchema } from '../../src/shared/access-config';
import type { ApiHandlers } from '../../src/shared/contract';
import { createApiHandlers } from '../../src/engine/api/handlers';
import { startStationServer } from '../../src/station/http-server';
import { StationClient } from '../../src/station/station-client';
import { startEngine } from '../helpers/engine';
import { frame, rawWebSocket, requestFrame, TEXT } from '../helpers/raw-websocket';
import { DEMO_THRESHOLDS, ROOT } from '../helpers/paths';
import { startStation, type RunningStation } from '../helpers/station-process';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

async function status(url: string): Promise<StationStatus> {
  const res = await fetch(`${url}/api/status`);
  expect(res.status).toBe(200);
  return (await res.json()) as StationStatus;
}

const decided = (s: StationStatus): number => s.decisions.clean + s.decisions.maybe + s.decisions.pit;

/** The station is up, and decides items after the attack as before it. */
async function stillClassifying(station: RunningStation): Promise<StationStatus> {
  expect(station.child.exitCode).toBeNull();
  const before = await status(station.url);
  return waitFor('decisions to go on rising', async () => {
    const now = await status(station.url);
    return decided(now) > decided(before) + 3 && now;
  });
}

/** A GET with the Host and Origin the test chooses (fetch sets Host itself). */
function getWith(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

const portOf = (station: RunningStation): number => Number(new URL(station.url).port);

describe('attacks on the network boundary', () => {
  const tempDir = useTempDirs();

  it('closes only the connection that sends a malformed frame: oversized, invalid UTF-8, unmasked, reserved bits, reserved opcode', async () => {
    const station = await startStation(['--port', '0', '--data-dir', tempDir()]);
    try {
      const port = portOf(station);
      const attacks: Record<string, Buffer> = {
        'over maxPayload': frame(TEXT, Buffer.alloc(70_000, 0x20)),
        'invalid UTF-8': frame(TEXT, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])),
        unmasked: frame(TEXT, Buffer.from('{"kind":"request","id":1,"op":"getStatus","payload":{}}'), { masked: false }),
        'RSV1 set': frame(0x80 | 0x40 | 0x1, Buffer.from('{}')),
        'reserved opcode': frame(0x80 | 0x3, Buffer.from('{}')),
        'fragment without start': frame(0x80 | 0x0, Buffer.from('{}')),
      };
      // A well-behaved client beside the attackers is not disturbed.
      const bystander = await StationClient.connect(`${station.url.replace('http:', 'ws:')}/ws`);
      for (const [name, bytes] of Object.entries(attacks)) {
        const ws = await rawWebSocket(port);
        expect(ws.status, name).toBe('HTTP/1.1 101 Switching Protocols');
        ws.send(bytes);
        await ws.closed;
      }
      expect((await bystander.ok('getSession', {})).role).toBe('operator');
      await bystander.close();
      const after = await stillClassifying(station);
      expect(after.connections.protocolErrors).toBe(Object.keys(attacks).length);
    } finally {
      expect(await station.stop()).toBe(0);
    }
  });

  it('refuses a foreign Host on every path and a foreign Origin on the WebSocket (DNS rebinding)', async () => {
    const station = await startStation(['--port', '0', '--data-dir', tempDir()]);
    try {
      const port = portOf(station);
      expect(await getWith(port, '/', { host: 'evil.example' })).toBe(403);
      expect(await getWith(port, '/api/status', { host: `rebind.evil.example:${port}` })).toBe(403);
      expect(await getWith(port, '/api/status', { host: `127.0.0.1:${port}`, origin: 'http://evil.example' })).toBe(403);
      expect(await getWith(port, '/api/status', { host: `localhost:${port}` })).toBe(200);
      const byHost = await rawWebSocket(port, { host: `evil.example:${port}` });
      expect(byHost.status).toBe('HTTP/1.1 403 Forbidden');
      const byOrigin = await rawWebSocket(port, { origin: 'http://evil.example' });
      expect(byOrigin.status).toBe('HTTP/1.1 403 Forbidden');
      const ownPage = await rawWebSocket(port, { origin: `http://127.0.0.1:${port}` });
      expect(ownPage.status).toBe('HTTP/1.1 101 Switching Protocols');
      ownPage.socket.destroy();
      const after = await stillClassifying(station);
      expect(after.connections.refusedHosts).toBe(5);
    } finally {
      expect(await station.stop()).toBe(0);
    }
  });

  it('serves only the regular files of its UI folder, never what a link there leads to', async () => {
    // A link dropped into the built UI's folder, leading to a file outside it.
    const outside = join(tempDir(), 'secret.txt');
    writeFileSync(outside, 'not for the network');
    const link = join(ROOT, 'out', 'renderer', 'leak.txt');
    rmSync(link, { force: true });
    symlinkSync(outside, link);
    try {
      const station = await startStation(['--port', '0', '--data-dir', tempDir()]);
      try {
        const leaked = await fetch(`${station.url}/leak.txt`);
        expect(leaked.status).toBe(404);
        expect(await leaked.text()).not.toContain('not for the network');
        expect((await fetch(`${station.url}/%2e%2e/%2e%2e/package.json`)).status).toBe(404);
        expect((await fetch(`${station.url}/`)).status).toBe(200);
        expect((await status(station.url)).api.rejected).toBeGreaterThanOrEqual(2);
      } finally {
        expect(await station.stop()).toBe(0);
      }
    } finally {
      rmSync(link, { force: true });
    }
  });

  it('checks at most maxAttempts PINs when 200 sign-ins arrive at once, and no change gets through', async () => {
    const station = await startStation(['--port', '0', '--data-dir', tempDir()]);
    try {
      const client = await StationClient.connect(`${station.url.replace('http:', 'ws:')}/ws`);
      const other = await StationClient.connect(`${station.url.replace('http:', 'ws:')}/ws`);
      // The demo technician's PIN (1234) is among the guesses.
      const guesses = Array.from({ length: 200 }, (_, i) => String(1100 + i));
      const results = await Promise.all(guesses.map((pin, i) => (i % 2 ? other : client).call('signIn', { name: 'technician', pin })));
      const errors = results.map((r) => (r.ok ? 'signed in' : r.error));
      expect(errors.filter((e) => e === 'signed in')).toEqual([]);
      expect(errors.filter((e) => /wrong PIN/.test(e)).length).toBeLessThanOrEqual(5);
      const change = await client.call('setThresholds', { thresholds: { pit: 0.99, maybe: 0.98 }, reason: 'attack' });
      expect(change.ok).toBe(false);
      // However the guesses fell, the technician is now locked: the right PIN is not even tried.
      let outcome = '';
      for (let i = 0; i < 6 && !/is locked (for|after)/.test(outcome); i++) {
        const r = await client.call('signIn', { name: 'technician', pin: String(9000 + i) });
        outcome = r.ok ? 'signed in' : r.error;
      }
      expect(outcome).toMatch(/is locked (for|after)/);
      const right = await client.call('signIn', { name: 'technician', pin: '1234' });
      expect(right.ok ? 'signed in' : right.error).toMatch(/locked after too many wrong PINs/);
      const after = await stillClassifying(station);
      expect(after.thresholds).toEqual(DEMO_THRESHOLDS);
      await client.close();
      await other.close();
    } finally {
      expect(await station.stop()).toBe(0);
    }
  });

  it('closes a client that asks and never reads, without growing the station or stopping the line', async () => {
    const station = await startStation(['--port', '0', '--data-dir', tempDir()]);
    try {
      const before = await status(station.url);
      const ws = await rawWebSocket(portOf(station));
      // It reads nothing from here on, and asks for the largest reply there is, 40,000 times.
      ws.socket.pause();
      const ask = Buffer.concat(Array.from({ length: 1000 }, (_, i) => requestFrame(i, 'getRecentInspections', { limit: 500 })));
      for (let i = 0; i < 40; i++) ws.send(ask);
      const closed = await waitFor(
        'the station to close the client',
        async () => {
          const s = await status(station.url);
          return s.connections.closedNotReading > 0 && s;
        },
        30_000,
        250,
      );
      expect(closed.connections.closedFlooding).toBe(0);
      expect(closed.system.rssBytes - before.system.rssBytes).toBeLessThan(200 * 1024 * 1024);
      ws.socket.destroy();
      await stillClassifying(station);
    } finally {
      expect(await station.stop()).toBe(0);
    }
  });

  it('slows down clients that flood it with requests, and the line goes on', async () => {
    const station = await startStation(['--port', '0', '--data-dir', tempDir()]);
    try {
      const url = `${station.url.replace('http:', 'ws:')}/ws`;
      const clients = await Promise.all([0, 1, 2, 3].map(() => StationClient.connect(url)));
      let answered = 0;
      const until = Date.now() + 3000;
      // Each keeps 64 requests outstanding for 3 s.
      await Promise.all(
        clients.map(async (c) => {
          const lane = async (): Promise<void> => {
            while (Date.now() < until) {
              const r = await c.call('getStatus', {});
              if (r.ok) answered++;
            }
          };
          await Promise.all(Array.from({ length: 64 }, lane));
        }),
      );
      const after = await stillClassifying(station);
      expect(after.connections.throttled).toBeGreaterThan(0);
      // 4 clients × 50 a second for 3 s, a burst each, and the last requests in flight: far from unbounded.
      expect(answered).toBeLessThan(4 * (50 * 4 + 100 + 64));
      await Promise.all(clients.map((c) => c.close()));
    } finally {
      expect(await station.stop()).toBe(0);
    }
  });

  it('answers the costly reads (exports, history) one at a time per client and two at a time for all, however many are asked', async () => {
    const engine = await startEngine(tempDir(), { sensors: { sources: [] } });
    let running = 0;
    let most = 0;
    let started = 0;
    const handlers: ApiHandlers = {
      ...createApiHandlers(engine),
      // An export that takes a while, counting how many run at once.
      exportInspections: async () => {
        started++;
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 50));
        running--;
        return { filename: 'x.csv', rows: 0, truncated: false, csv: new Uint8Array(0) };
      },
    };
    const server = await startStationServer({ engine, handlers, rendererDir: join(ROOT, 'out', 'renderer'), server: ServerConfigSchema.parse({}), port: 0 });
    try {
      const clients = await Promise.all([0, 1, 2, 3].map(() => StationClient.connect(`${server.url.replace('http:', 'ws:')}/ws`)));
      const ask = (c: StationClient): Promise<boolean>[] => [0, 1, 2].map(async () => (await c.call('exportInspections', { filter: {} })).ok);
      // One client asking three at once gets them one after another…
      expect(await Promise.all(ask(clients[0]!))).toEqual([true, true, true]);
      expect(most).toBe(1);
      // …and four clients asking three each get two at a time.
      expect((await Promise.all(clients.flatMap(ask))).every(Boolean)).toBe(true);
      expect(most).toBe(2);
      // A client that asks for ten and goes away at once has at most the one already running answered for nobody.
      const before = started;
      const leaving = await StationClient.connect(`${server.url.replace('http:', 'ws:')}/ws`);
      for (let i = 0; i < 10; i++) void leaving.call('exportInspections', { filter: {} });
      await leaving.close();
      await new Promise((r) => setTimeout(r, 1000));
      expect(started - before).toBeLessThanOrEqual(1);
      await Promise.all(clients.map((c) => c.close()));
    } finally {
      await server.close();
      await engine.stop();
    }
  });
});
