/**
 * MQTT (issue 17) against a real broker on loopback (aedes): a subscriber receives every decision the station
 * logged, once after dropping duplicates by their stable id; the state and alarms are retained; the stop says
 * offline (the last will, set at connection, says it for a station that dies).
 */
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { MqttDecision } from '../../../src/engine/mqtt/mqtt-publisher';
import { useRunningEngines } from '../../helpers/engine';
import { freePort } from '../../helpers/free-port';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from '../../helpers/wait';

async function broker(): Promise<{ url: string; close: () => Promise<void> }> {
  const aedes = await Aedes.createBroker();
  const port = await freePort();
  const server: Server = createServer(aedes.handle);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return {
    url: `mqtt://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => aedes.close(() => r()));
      }),
  };
}

describe('MQTT', () => {
  const tempDir = useTempDirs();
  const engines = useRunningEngines();
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closing.splice(0).reverse()) await c();
  });

  it('publishes every decision once (after dropping duplicates by id), and the state and alarms retained', async () => {
    const b = await broker();
    closing.push(b.close);
    const subscriber = await mqtt.connectAsync(b.url, { clientId: 'plant-historian' });
    closing.push(() => subscriber.endAsync());
    const got = new Map<string, MqttDecision>();
    let messages = 0;
    const states: { state: string }[] = [];
    subscriber.on('message', (topic, payload) => {
      if (topic.endsWith('/decisions')) {
        messages++;
        for (const d of JSON.parse(payload.toString()) as MqttDecision[]) got.set(d.id, d);
      }
      if (topic.endsWith('/state')) states.push(JSON.parse(payload.toString()) as { state: string });
    });
    await subscriber.subscribeAsync('linesight/+/#', { qos: 1 });
    const dataDir = tempDir();
    const engine = await engines.start(dataDir, {
      station: { id: 'line-3' },
      source: { kind: 'replay', fps: 50, loop: true },
      sensors: { sources: [] },
      mqtt: { kind: 'broker', url: b.url, batchMs: 50 },
    });
    await waitFor('200 items decided', () => engine.getStatus().frames.classified >= 200, 30_000);
    await waitFor('decisions sent, counted for Diagnostics', () => (engine.getStatus().mqtt?.sent ?? 0) > 100);
    expect(engine.getStatus().mqtt).toMatchObject({ connected: true, dropped: 0 });
    await engine.stop();
    const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT frame_id, decision FROM inspections ORDER BY frame_id').all() as { frame_id: number; decision: string }[];
    db.close();
    await waitFor('every logged decision received', () => rows.every((r) => [...got.values()].some((d) => d.frameId === r.frame_id)), 10_000);
    const byFrame = new Map([...got.values()].map((d) => [d.frameId, d]));
    expect(byFrame.size).toBe(rows.length);
    for (const r of rows) expect(byFrame.get(r.frame_id)!.decision).toBe(r.decision);
    expect([...got.keys()].every((id) => id.startsWith('line-3:'))).toBe(true);
    // Batched: far fewer messages than decisions.
    expect(messages).toBeLessThan(rows.length / 2);
    expect(states[0]).toMatchObject({ state: 'online' });
    expect(states.at(-1)).toMatchObject({ state: 'offline' });

    // A subscriber that comes later reads the retained state and alarms at once.
    const late = await mqtt.connectAsync(b.url, { clientId: 'late-dashboard' });
    closing.push(() => late.endAsync());
    const retained = new Map<string, string>();
    late.on('message', (topic, payload) => retained.set(topic, payload.toString()));
    await late.subscribeAsync(['linesight/line-3/state', 'linesight/line-3/alarms'], { qos: 1 });
    await waitFor('the retained state', () => retained.get('linesight/line-3/state'));
    expect(JSON.parse(retained.get('linesight/line-3/state')!)).toMatchObject({ state: 'offline' });
  }, 60_000);

  it('keeps deciding when the broker is not there', async () => {
    const port = await freePort();
    const engine = await engines.start(tempDir(), {
      source: { kind: 'replay', fps: 20 },
      sensors: { sources: [] },
      mqtt: { kind: 'broker', url: `mqtt://127.0.0.1:${port}` },
    });
    await waitFor('items decided without a broker', () => engine.getStatus().frames.classified >= 20, 20_000);
    expect(engine.getStatus().failSafe.engaged).toBe(false);
    expect(engine.getStatus().mqtt).toMatchObject({ connected: false, sent: 0 });
  }, 30_000);

  it('does not start on a CA file it cannot read, and says which', async () => {
    await expect(
      engines.start(tempDir(), {
        source: { kind: 'replay', fps: 10 },
        sensors: { sources: [] },
        mqtt: { kind: 'broker', url: 'mqtts://127.0.0.1:8883', caFile: '/nonexistent/ca.pem' },
      }),
    ).rejects.toThrow(/mqtt\.caFile \/nonexistent\/ca\.pem cannot be read: ENOENT/);
  }, 30_000);
});
