/**
 * The PLC handshake over Modbus TCP (issue 17), against the real station with a PLC simulator on loopback
 * (modbus-serial's client, as a PLC's Modbus TCP client would talk): triggers at the line's rate, each answered by
 * exactly one result tied to its id within the deadline, acknowledged; a trigger with no frame answered NG with its
 * error (positive release); requests outside the map refused without harm.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type ModbusRTU from 'modbus-serial';
import { afterEach, describe, expect, it } from 'vitest';
import { COIL, DISCRETE, HOLDING, INPUT, INPUTS } from '../../../src/engine/plc/plc-map';
import { connectRaw, plcClient, sleep, takeResult, trigger, type Result } from '../../helpers/plc-simulator';
import { useRunningEngines } from '../../helpers/engine';
import { freePort } from '../../helpers/free-port';
import { DEMO_FRAMES_DIR } from '../../helpers/paths';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from '../../helpers/wait';

describe('the PLC handshake over Modbus TCP', () => {
  const tempDir = useTempDirs();
  const engines = useRunningEngines();
  const clients: ModbusRTU[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await new Promise<void>((r) => c.close(() => r()));
  });

  it('answers 1,000 triggers at the line’s rate, each with exactly one result tied to its id, within the deadline, acknowledged', async () => {
    const port = await freePort();
    const rate = 50;
    const engine = await engines.start(tempDir(), {
      source: { kind: 'replay', fps: 200, loop: true },
      sensors: { sources: [] },
      line: { rateFps: rate },
      plc: { kind: 'modbus-tcp', port },
    });
    const triggers = await plcClient(port);
    const scan = await plcClient(port);
    clients.push(triggers, scan);
    expect((await scan.readDiscreteInputs(DISCRETE.READY, 1)).data[0]).toBe(true);
    const results: Result[] = [];
    let sending = true;
    let deadline = Infinity;
    const scanning = (async () => {
      while (sending || results.length < 1000) {
        const r = await takeResult(scan);
        if (r) results.push(r);
        else await sleep(2);
        if (!sending && results.length < 1000 && Date.now() > deadline) break;
      }
    })();
    const t0 = performance.now();
    for (let id = 1; id <= 1000; id++) {
      await trigger(triggers, id);
      const due = t0 + (id * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    sending = false;
    deadline = Date.now() + 10_000;
    await scanning;
    expect(results).toHaveLength(1000);
    expect(new Set(results.map((r) => r.id)).size).toBe(1000);
    expect(results.map((r) => r.id)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    // Within the line's deadline (decision.deadlineMs, 1000 ms), every one on a picture.
    expect(Math.max(...results.map((r) => r.cycleMs))).toBeLessThan(1000);
    expect(results.filter((r) => r.errorCode !== 0)).toEqual([]);
    for (const r of results) expect(r.ok).toBe(r.decision === 1);
    const ir = (await scan.readInputRegisters(0, INPUTS)).data;
    expect(ir[INPUT.OVERRUNS]).toBe(0);
    expect(ir[INPUT.TRIGGERS]).toBe(1000);
    expect(ir[INPUT.BUFFERED]).toBe(0);
    // Every trigger is one item in the log, with the trigger's id in its origin.
    await waitFor('1000 items decided', () => engine.getStatus().frames.classified >= 1000);
    // Counted where a technician looks (Diagnostics).
    const { cycleTimes, ...counts } = engine.getStatus().plc!;
    expect(counts).toEqual({ triggers: 1000, resultsBuffered: 0, overruns: 0, refusedRequests: 0 });
    // The latest 1,000 triggers' stages, drawn on Diagnostics: every one had its frame, decision and command.
    for (const stage of ['frame', 'decision', 'command', 'total'] as const) expect(cycleTimes.stages.find((st) => st.stage === stage)!.n).toBe(1000);
    expect(cycleTimes.stages.find((st) => st.stage === 'confirm')!.n).toBe(0);
  }, 120_000);

  it('answers a trigger no frame follows NG, error 1, within the frame timeout; refuses addresses outside its map and goes on', async () => {
    const port = await freePort();
    const engine = await engines.start(tempDir(), {
      // One picture, then the camera is silent.
      source: { kind: 'replay', files: [join(DEMO_FRAMES_DIR, '00001.jpg')], fps: 10, loop: false, stallMs: 600_000 },
      sensors: { sources: [] },
      plc: { kind: 'modbus-tcp', port, frameTimeoutMs: 200 },
    });
    const plc = await plcClient(port);
    clients.push(plc);
    await sleep(300);
    await trigger(plc, 77);
    const result = await waitFor('the result of trigger 77', () => takeResult(plc), 5_000);
    expect(result).toMatchObject({ id: 77, decision: 2, errorCode: 1, ng: true, ok: false });
    await expect(plc.readInputRegisters(100, 1)).rejects.toThrow(/Illegal data address|exception/i);
    await expect(plc.writeCoil(9, true)).rejects.toThrow();
    // Still answering.
    await trigger(plc, 78);
    expect(await waitFor('the result of trigger 78', () => takeResult(plc), 5_000)).toMatchObject({ id: 78, errorCode: 1 });
    expect(engine.getStatus().plc!.refusedRequests).toBe(2);
    // Bytes that are no Modbus at all, on a connection of their own: the station goes on answering the PLC.
    const junk = await connectRaw(port);
    junk.write(Buffer.from([0xff, 0xff, 0, 0, 0, 1, 0x01, 0x99, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef]));
    junk.write(Buffer.alloc(4096, 0xaa));
    await sleep(100);
    junk.destroy();
    await trigger(plc, 80);
    expect(await waitFor('the result of trigger 80', () => takeResult(plc), 5_000)).toMatchObject({ id: 80 });
    // More connections than a line needs: the ones past eight are closed; the PLC's own goes on.
    const extra = await Promise.all(Array.from({ length: 10 }, () => connectRaw(port)));
    await waitFor('the extra connections closed', () => extra.filter((s) => s.destroyed).length >= 2, 5_000);
    for (const s of extra) s.destroy();
    await trigger(plc, 79);
    expect(await waitFor('the result of trigger 79', () => takeResult(plc), 5_000)).toMatchObject({ id: 79 });
    // A second station on the same port does not start, and says why.
    await expect(
      engines.start(tempDir(), { source: { kind: 'replay', fps: 10 }, sensors: { sources: [] }, plc: { kind: 'modbus-tcp', port } }),
    ).rejects.toThrow(new RegExp(`the PLC server cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
  }, 60_000);
});

describe('confirmed rejects through the PLC', () => {
  const tempDir = useTempDirs();
  const engines = useRunningEngines();
  const clients: ModbusRTU[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await new Promise<void>((r) => c.close(() => r()));
  });

  /** Triggers until a result comes back NG, acknowledging each; returns that trigger's id. */
  async function nextReject(plc: ModbusRTU, from: number): Promise<number> {
    for (let id = from; id < from + 400; id++) {
      await trigger(plc, id);
      const r = await waitFor(`the result of trigger ${id}`, () => takeResult(plc), 5_000);
      if (r.ng) return r.id;
    }
    throw new Error('no reject in 400 items');
  }

  async function confirm(plc: ModbusRTU, id: number): Promise<void> {
    await plc.writeRegister(HOLDING.CONFIRM_ID, id);
    await plc.writeCoil(COIL.EJECT_CONFIRM, true);
    await plc.writeCoil(COIL.EJECT_CONFIRM, false);
  }

  it('holds the fail-safe when the ejector does not confirm a reject in time (policy fail-safe), and lets go at the next confirmed one; each trigger’s times are drawn and logged', async () => {
    const port = await freePort();
    const dir = tempDir();
    const engine = await engines.start(dir, {
      source: { kind: 'replay', fps: 200, loop: true },
      sensors: { sources: [] },
      plc: { kind: 'modbus-tcp', port, rejectConfirm: { withinMs: 200, policy: 'fail-safe' } },
    });
    const plc = await plcClient(port);
    clients.push(plc);
    const first = await nextReject(plc, 1);
    await confirm(plc, first);
    await waitFor('the confirmation counted', () => engine.getStatus().plc?.rejects?.confirmed === 1);
    // The next reject is not confirmed: the alarm, and every item rejected.
    const unconfirmed = await nextReject(plc, first + 1);
    const alarm = await waitFor('the ejector alarm', () => engine.getStatus().alarms.find((a) => a.kind === 'ejector'), 5_000);
    expect(alarm).toMatchObject({
      severity: 'alarm',
      message: `ejector did not confirm the reject of trigger ${unconfirmed} within 200 ms: every item is rejected until a reject is confirmed again`,
    });
    expect(engine.getStatus().failSafe.engaged).toBe(true);
    await trigger(plc, 9000);
    const held = await waitFor('the result of trigger 9000', () => takeResult(plc), 5_000);
    expect(held).toMatchObject({ id: 9000, ng: true, errorCode: 2 });
    // The ejector fires again: confirmed, the alarm and the fail-safe go.
    await confirm(plc, 9000);
    await waitFor('the alarm cleared', () => !engine.getStatus().alarms.some((a) => a.kind === 'ejector'));
    expect(engine.getStatus().failSafe.engaged).toBe(false);
    expect(engine.getStatus().plc!.rejects).toMatchObject({ confirmed: 2, missing: 1 });
    // Each trigger's stages: the histogram Diagnostics draws, and one row a trigger in the log.
    const stages = Object.fromEntries(engine.getStatus().plc!.cycleTimes.stages.map((st) => [st.stage, st]));
    expect(stages.confirm!.n).toBe(2);
    expect(stages.total!.n).toBe(stages.command!.n);
    expect(stages.total!.counts.reduce((a, b) => a + b, 0)).toBe(stages.total!.n);
    expect(stages.frame!.n).toBe(stages.total!.n); // trigger 9000 was rejected without a look, but it had its frame
    const triggers = engine.getStatus().plc!.triggers;
    await new Promise<void>((r) => clients.pop()!.close(() => r()));
    await engine.stop();
    const db = new Database(join(dir, 'linesight.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT trigger_id, ending, confirm_ms, frame_ms, decision_ms, command_ms FROM plc_cycles ORDER BY id').all() as {
      trigger_id: number;
      ending: string;
      confirm_ms: number | null;
      frame_ms: number | null;
      decision_ms: number | null;
      command_ms: number | null;
    }[];
    db.close();
    expect(rows).toHaveLength(triggers);
    expect(new Set(rows.map((r) => r.trigger_id)).size).toBe(triggers);
    expect(rows.filter((r) => r.ending === 'confirmed').map((r) => r.trigger_id)).toEqual([first, 9000]);
    expect(rows.filter((r) => r.ending === 'missing').map((r) => r.trigger_id)).toEqual([unconfirmed]);
    expect(rows.find((r) => r.trigger_id === 9000)!.confirm_ms).not.toBeNull();
    for (const r of rows) expect([r.frame_ms, r.decision_ms, r.command_ms].every((v) => v !== null && v >= 0)).toBe(true);
  }, 60_000);

  it('only warns under the alarm policy: the line goes on deciding', async () => {
    const port = await freePort();
    const engine = await engines.start(tempDir(), {
      source: { kind: 'replay', fps: 200, loop: true },
      sensors: { sources: [] },
      plc: { kind: 'modbus-tcp', port, rejectConfirm: { withinMs: 100, policy: 'alarm' } },
    });
    const plc = await plcClient(port);
    clients.push(plc);
    await nextReject(plc, 1);
    const alarm = await waitFor('the ejector warning', () => engine.getStatus().alarms.find((a) => a.kind === 'ejector'), 5_000);
    expect(alarm.severity).toBe('warning');
    expect(engine.getStatus().failSafe.engaged).toBe(false);
  }, 60_000);
});
