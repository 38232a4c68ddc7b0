/** The PLC handshake's parts on their own: the result buffer (src/engine/plc/plc-results.ts) and trigger pairing (trigger-pairing.ts). */
import { describe, expect, it } from 'vitest';
import { PlcResults, type PlcResult } from '../../../src/engine/plc/plc-results';
import { TriggerPairing, type TriggeredItem } from '../../../src/engine/plc/trigger-pairing';
import { RejectConfirmations } from '../../../src/engine/plc/reject-confirmations';
import { waitFor } from '../../helpers/wait';

const result = (triggerId: number): PlcResult => ({ triggerId, itemId: triggerId, decision: 'clean', classIndex: 0, score: 0.1, errorCode: 0, cycleMs: 5 });
const frame = (id: number, capturedAt: number) => ({ id, capturedAt, data: new Uint8Array([1]), origin: `f${id}` });

describe('PlcResults', () => {
  it('shows results one at a time until acknowledged, and counts what a full buffer loses', () => {
    const r = new PlcResults(2);
    expect(r.shown()).toBeNull();
    expect(r.push(result(1))).toBe(true);
    expect(r.push(result(2))).toBe(true);
    expect(r.push(result(3))).toBe(false);
    expect(r).toMatchObject({ overruns: 1, buffered: 2, shownCount: 1 });
    expect(r.shown()!.triggerId).toBe(1);
    expect(r.acknowledge()!.triggerId).toBe(1);
    expect(r.shown()!.triggerId).toBe(2);
    expect(r.shownCount).toBe(2);
    r.acknowledge();
    expect(r.acknowledge()).toBeNull();
    expect(r.shown()).toBeNull();
  });
});

describe('TriggerPairing', () => {
  it('gives each trigger the next frame after it, never one from before, and ignores frames no trigger asked for', () => {
    let now = 1000;
    const items: TriggeredItem[] = [];
    const pairing = new TriggerPairing({ frameTimeoutMs: 10_000, emit: (i) => items.push(i), now: () => now });
    pairing.frame(frame(1, 990));
    pairing.trigger(7);
    pairing.frame(frame(2, 999));
    expect(items).toEqual([]);
    now = 1010;
    pairing.frame(frame(3, 1004));
    pairing.frame(frame(4, 1008));
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: 1, triggerId: 7, capturedAt: 1004, frameWaitMs: 4, origin: 'f3 (trigger 7)' });
    pairing.stop();
  });

  it('answers a trigger no frame follows without a picture, saying why, and every waiting one at stop', async () => {
    const items: TriggeredItem[] = [];
    const pairing = new TriggerPairing({ frameTimeoutMs: 30, emit: (i) => items.push(i) });
    pairing.trigger(1);
    await waitFor('the timeout', () => items.length === 1);
    expect(items[0]).toMatchObject({ triggerId: 1, frameWaitMs: null, unreadable: 'trigger 1: no frame within 30 ms' });
    pairing.trigger(2);
    pairing.stop();
    expect(items[1]).toMatchObject({ triggerId: 2, unreadable: 'trigger 2: the station stopped before a frame came' });
    // A trigger after the stop is still answered, at once.
    pairing.trigger(3);
    expect(items[2]).toMatchObject({ triggerId: 3, unreadable: 'trigger 3: the station is stopping' });
  });
});

describe('RejectConfirmations', () => {
  it('reports a reject missing when another comes under the same trigger id before its confirmation', () => {
    const missing: number[] = [];
    const c = new RejectConfirmations(
      10_000,
      (id) => missing.push(id),
      () => {},
    );
    c.expect(5);
    c.expect(5);
    expect(missing).toEqual([5]);
    c.confirm(5);
    c.confirm(5);
    expect(c.figures()).toMatchObject({ expected: 2, confirmed: 1, missing: 1, unexpected: 1 });
    c.stop();
  });
});
