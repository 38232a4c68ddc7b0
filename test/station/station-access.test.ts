/**
 * Who may reach the headless station, and what they may do: bound beyond
 * loopback it asks every client for its token; every connection is a
 * read-only operator until a technician signs in on it, and a sign-in on
 * one connection gives nothing to another. The real station process.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { StationStatus } from '../../src/shared/status';
import { runStation, startStation, type RunningStation } from '../helpers/station-process';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';
import { StationClient } from '../../src/station/station-client';

const TOKEN = 'line3-secret-token-0123456789';

describe('station access', () => {
  const tempDir = useTempDirs();

  async function startWith(config: object): Promise<{ station: RunningStation; dataDir: string; base: string }> {
    const dataDir = tempDir();
    const file = join(dataDir, 'station.json');
    writeFileSync(file, JSON.stringify({ source: { kind: 'replay', fps: 20 }, ...config }));
    const station = await startStation(['--port', '0', '--data-dir', dataDir, '--config', file]);
    // Bound to every address, the station is reached here through loopback.
    return { station, dataDir, base: station.url.replace('0.0.0.0', '127.0.0.1') };
  }

  it('bound beyond loopback, answers only clients with its token', async () => {
    const { station, base } = await startWith({ server: { host: '0.0.0.0', token: TOKEN } });
    try {
      // Addresses a person can open, with a hint of the token and never the token itself.
      expect(station.output()).toMatch(/ready at http:\/\/127\.0\.0\.1:\d+\/\?token=… \(on this PC\)\n {2}from other PCs: /);
      expect(station.output()).toMatch(/server\.token in the config file \(not printed here\)/);
      expect(station.output()).not.toContain('0.0.0.0');
      expect(station.output()).not.toContain(TOKEN);
      // Open to all, it says only whether a token is needed and whether the one offered is good.
      const access = async (query: string): Promise<unknown> => (await fetch(`${base}/api/access${query}`)).json();
      expect(await access('')).toEqual({ tokenRequired: true, tokenAccepted: false });
      expect(await access('?token=wrong-token-wrong-token')).toEqual({ tokenRequired: true, tokenAccepted: false });
      expect(await access(`?token=${TOKEN}`)).toEqual({ tokenRequired: true, tokenAccepted: true });
      const refused = await fetch(`${base}/api/status`);
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: string }).error).toMatch(/needs its token/);
      expect((await fetch(`${base}/api/status?token=wrong-token-wrong-token`)).status).toBe(401);
      expect((await fetch(`${base}/api/status`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
      expect((await fetch(`${base}/api/status?token=${TOKEN}`)).status).toBe(200);
      // The page itself holds nothing and loads without the token; it asks for it.
      expect((await fetch(`${base}/`)).status).toBe(200);

      const ws = base.replace('http:', 'ws:');
      await expect(StationClient.connect(`${ws}/ws`)).rejects.toThrow('refused with HTTP 401');
      await expect(StationClient.connect(`${ws}/ws?token=nope`)).rejects.toThrow('refused with HTTP 401');
      const client = await StationClient.connect(`${ws}/ws?token=${TOKEN}`);
      expect(await client.ok('getSession', {})).toMatchObject({ role: 'operator', transport: 'websocket', peer: '127.0.0.1' });
      await client.close();
      const status = (await (await fetch(`${base}/api/status?token=${TOKEN}`)).json()) as StationStatus;
      expect(status.api.rejected).toBeGreaterThanOrEqual(4);
    } finally {
      expect(await station.stop()).toBe(0);
    }
  });

  it('refuses to start bound beyond loopback without a token', async () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'station.json');
    writeFileSync(file, JSON.stringify({ server: { host: '0.0.0.0' } }));
    const exited = await runStation(['--port', '0', '--data-dir', dataDir, '--config', file]);
    expect(exited.code).toBe(2);
    expect(exited.stderr).toMatch(/server\.token: a station bound to an address other than 127\.0\.0\.1 needs server\.token/);
  });

  it('keeps every connection read-only until a technician signs in on it', async () => {
    const { station, base, dataDir } = await startWith({});
    // On loopback no token is needed, and /api/access says so.
    expect(await (await fetch(`${base}/api/access`)).json()).toEqual({ tokenRequired: false, tokenAccepted: true });
    const a = await StationClient.connect(`${base.replace('http:', 'ws:')}/ws`);
    const b = await StationClient.connect(`${base.replace('http:', 'ws:')}/ws`);
    try {
      const change = { thresholds: { pit: 0.7, maybe: 0.45 }, reason: 'trial on lot 9' };
      expect(await a.call('setThresholds', change)).toEqual({ ok: false, error: 'Changing the thresholds needs a technician: sign in with your PIN first' });
      expect(await a.call('rollbackModel', {})).toMatchObject({ ok: false, error: expect.stringMatching(/needs a technician/) });
      expect(await a.call('signIn', { name: 'technician', pin: '0000' })).toMatchObject({ ok: false, error: expect.stringMatching(/wrong PIN: 4 tries left/) });
      expect(await a.call('signIn', { name: 'technician', pin: 'abcd' })).toMatchObject({
        ok: false,
        error: expect.stringMatching(/^Signing in was refused: the request was not valid \(pin: a PIN is 4 to 12 digits/),
      });
      expect(await a.ok('signIn', { name: 'technician', pin: '1234' })).toMatchObject({ role: 'technician', demoPin: true });
      await waitFor('the session event on the connection that signed in', () => a.events.some((e) => e.event === 'session'));
      expect(await a.ok('setThresholds', change)).toEqual(change.thresholds);
      // The other connection stays an operator, and was not told of the first one's session.
      expect(await b.call('setThresholds', change)).toMatchObject({ ok: false });
      expect(b.events.some((e) => e.event === 'session')).toBe(false);
      // Both see the new thresholds.
      await waitFor('the status event with the new thresholds', () =>
        b.events.some((e) => e.event === 'status' && (e.payload as StationStatus).thresholds.pit === 0.7),
      );
      const status = await b.ok('getStatus', {});
      expect(status.api.denied).toBe(3);
      expect(status.clients).toEqual({ open: 2, technicians: 1 });
      expect(status.thresholdsSetBy).toMatchObject({ actor: 'technician (browser 127.0.0.1)', reason: 'trial on lot 9' });
      // Junk on the socket is refused and counted (beside the PIN that was not digits); the connection stays usable.
      expect(status.api.rejected).toBe(1);
      b.sendRaw('{"kind":"request","id":"x"}');
      b.sendRaw('not json');
      await waitFor('both protocol errors', () => b.events.filter((e) => e.event === 'protocol-error').length === 2);
      expect((await b.ok('getStatus', {})).api.rejected).toBe(3);
    } finally {
      await a.close();
      await b.close();
      expect(await station.stop()).toBe(0);
    }
    const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
    const audit = db.prepare('SELECT actor, subject, new_json, reason FROM audit').all();
    const auth = db.prepare("SELECT message FROM events WHERE kind = 'auth' ORDER BY seq").all() as { message: string }[];
    db.close();
    expect(audit).toEqual([{ actor: 'technician (browser 127.0.0.1)', subject: 'thresholds', new_json: '{"pit":0.7,"maybe":0.45}', reason: 'trial on lot 9' }]);
    expect(auth.map((e) => e.message)).toEqual([
      'wrong PIN for technician (127.0.0.1)',
      'technician (browser 127.0.0.1) signed in',
      'technician (browser 127.0.0.1) signed out: the connection closed',
    ]);
  });
});
