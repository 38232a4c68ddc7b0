/**
 * Where each decided row is while log workers come and go (log-client.ts keeps it in row-ledger.ts): every row
 * is, at each moment, pending, written, not recorded or rejected — never two of them, never none.
 */
import { describe, expect, it } from 'vitest';
import { RowLedger } from '../../../src/engine/log/row-ledger';
import { RestartBackoff } from '../../../src/engine/rpc/restart-backoff';
import type { InspectionRow } from '../../../src/engine/storage/inspection-log';

const row = (frameId: number): InspectionRow => ({
  frameId,
  capturedAt: new Date(0).toISOString(),
  origin: 'test',
  modelName: 'm',
  modelVersion: '1',
  rejectScore: 0.1,
  scores: null,
  decision: 'clean',
  failSafeReason: null,
  decodeMs: null,
  preprocessMs: null,
  inferenceMs: null,
  decisionMs: null,
  totalMs: null,
});

/** Every row appended is counted once. */
function accounted(ledger: RowLedger): number {
  return ledger.pendingRows + ledger.rowsWritten + ledger.notRecorded + ledger.rowsRejected;
}

describe('RowLedger', () => {
  it('tickets rows in order and settles them by the ticket the worker committed through', () => {
    const ledger = new RowLedger(100);
    for (let i = 0; i < 5; i++) expect(ledger.queue(row(i))).toBe(i + 1);
    const posted = ledger.takeQueued();
    expect(posted.map((r) => r.ticket)).toEqual([1, 2, 3, 4, 5]);
    ledger.committedThrough(3, 3);
    expect(ledger.rowsWritten).toBe(3);
    expect(ledger.pendingRows).toBe(2);
    ledger.refused([4]);
    ledger.rejected([5]);
    expect([ledger.pendingRows, ledger.notRecorded, ledger.rowsRejected]).toEqual([0, 1, 1]);
    expect(accounted(ledger)).toBe(5);
  });

  it('keeps what a dead worker held for the next one, bounded, and counts the rest as not recorded', () => {
    const ledger = new RowLedger(4);
    for (let i = 0; i < 3; i++) ledger.queue(row(i));
    ledger.takeQueued();
    for (let i = 3; i < 6; i++) ledger.queue(row(i)); // not yet posted
    ledger.workerLost();
    expect(ledger.heldRows).toBe(4);
    expect(ledger.notRecorded).toBe(2);
    ledger.hold(row(6)); // at the bound while none runs
    expect(ledger.notRecorded).toBe(3);
    const resent = ledger.takeHeld();
    expect(resent.map((r) => r.frameId)).toEqual([0, 1, 2, 3]);
    ledger.present([1, 2]); // the dead one had committed these without saying so
    ledger.committedThrough(2, 4);
    expect(ledger.rowsWritten).toBe(4);
    expect(ledger.pendingRows).toBe(0);
    expect(accounted(ledger)).toBe(7);
  });

  it('refuses rows once a worker that does not answer has many times its bound in flight', () => {
    const ledger = new RowLedger(2);
    let refused = 0;
    for (let i = 0; i < 20; i++) if (ledger.queue(row(i)) === null) refused++;
    expect(refused).toBe(12); // eight in flight, then each refused
    expect(ledger.notRecorded).toBe(12);
    expect(accounted(ledger)).toBe(20);
  });

  it('counts what was not committed as not recorded when the log closes', () => {
    const ledger = new RowLedger(10);
    ledger.queue(row(1));
    ledger.takeQueued();
    ledger.queue(row(2));
    ledger.workerClosed();
    expect([ledger.pendingRows, ledger.notRecorded]).toEqual([0, 2]);
    ledger.hold(row(3));
    ledger.dropWaiting();
    expect([ledger.pendingRows, ledger.notRecorded]).toEqual([0, 3]);
  });
});

describe('RestartBackoff', () => {
  it('waits each delay in turn, repeats the last, and starts over after a stable run or a reset', () => {
    let now = 0;
    const backoff = new RestartBackoff([10, 20, 50], 1000, () => now);
    backoff.died();
    expect([backoff.nextDelayMs(), backoff.nextDelayMs(), backoff.nextDelayMs(), backoff.nextDelayMs()]).toEqual([10, 20, 50, 50]);
    backoff.started();
    now += 999;
    backoff.died();
    expect(backoff.nextDelayMs()).toBe(50);
    backoff.started();
    now += 1000;
    backoff.died();
    expect(backoff.nextDelayMs()).toBe(10);
    backoff.reset();
    expect(backoff.nextDelayMs()).toBe(10);
  });
});
