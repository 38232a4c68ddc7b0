/**
 * The boundary every transport goes through: unknown operations and invalid
 * payloads are refused before a handler runs; a technician's operation asked
 * by an operator is denied; each outcome is counted.
 */
import { describe, expect, it } from 'vitest';
import { OPERATION_NAMES, operations, type ApiHandlers, type Caller } from '../../../src/shared/contract';
import { createBoundaryCounters, dispatch } from '../../../src/engine/api/dispatch';
import { AuthConfigSchema } from '../../../src/shared/access-config';
import { SessionManager } from '../../../src/engine/auth/session-manager';

function recordingHandlers(): { handlers: ApiHandlers; ran: string[] } {
  const ran: string[] = [];
  const handlers = Object.fromEntries(
    OPERATION_NAMES.map((op) => [
      op,
      (request: unknown, caller: Caller) => {
        ran.push(op);
        if (op === 'getAudit') throw new Error('disk on fire');
        return { op, request, actor: caller.actor };
      },
    ]),
  ) as unknown as ApiHandlers;
  return { handlers, ran };
}

const operator = (): Caller => new SessionManager({ auth: AuthConfigSchema.parse({}) }).open('websocket', '10.1.1.1');

describe('dispatch', () => {
  it('marks exactly the operations that change the line as technician-only', () => {
    const technicianOnly = OPERATION_NAMES.filter((op) => operations[op].access === 'technician');
    expect(technicianOnly.sort()).toEqual([
      'activateModel',
      'applyBenchmarkSettings',
      'applyCalibration',
      'calibrateModel',
      'cancelBenchmark',
      'cancelCalibration',
      'cancelQuantization',
      'cancelTeaching',
      'deleteRecipe',
      'discardShadowCandidate',
      'exportLabelledCaptures',
      'exportRecipes',
      'importModel',
      'importRecipes',
      'inspectLabelledFolder',
      'promoteShadowCandidate',
      'quantizeModel',
      'retakeCameraReference',
      'rollbackModel',
      'saveRecipe',
      'setThresholds',
      'startBenchmark',
      'startShadowTrial',
      'startTeaching',
      'stopShadowTrial',
      'switchRecipe',
    ]);
  });

  it('lets an operator label an item, and refuses a label or a target it does not know before any handler runs', async () => {
    const { handlers, ran } = recordingHandlers();
    const counters = createBoundaryCounters();
    const ok = await dispatch(handlers, 'labelItem', { target: { kind: 'frame', frameId: 7 }, label: 'defective' }, counters, operator());
    expect(ok).toMatchObject({ ok: true, value: { op: 'labelItem', actor: 'operator (browser 10.1.1.1)' } });
    for (const payload of [
      { target: { kind: 'frame', frameId: 7 }, label: 'maybe' },
      { target: { kind: 'file', path: '/etc/passwd' }, label: 'good' },
      { target: { kind: 'inspection', seq: -1 }, label: 'good' },
      { target: { kind: 'capture', id: 1, extra: true }, label: 'good' },
    ]) {
      const refused = await dispatch(handlers, 'labelItem', payload, counters, operator());
      expect(refused.ok, JSON.stringify(payload)).toBe(false);
      if (!refused.ok) expect(refused.error).toMatch(/^Labelling an item was refused: the request was not valid/);
    }
    expect(ran).toHaveLength(1);
  });

  it('refuses an unknown operation and an invalid payload before any handler runs', async () => {
    const { handlers, ran } = recordingHandlers();
    const counters = createBoundaryCounters();
    expect(await dispatch(handlers, 'dropTables', {}, counters, operator())).toEqual({
      ok: false,
      error: 'the station does not know the request "dropTables": is this page from another version of LineSight?',
    });
    const bad = await dispatch(handlers, 'getRecentInspections', { limit: 'all' }, counters, operator());
    expect(bad).toEqual({
      ok: false,
      error: 'Reading the latest items was refused: the request was not valid (limit: Invalid input: expected number, received string)',
    });
    const extra = await dispatch(handlers, 'getStatus', { sql: 'x' }, counters, operator());
    expect(extra.ok).toBe(false);
    expect(ran).toEqual([]);
    expect(counters).toEqual({ accepted: 0, rejected: 3, denied: 0, failed: 0 });
  });

  it('denies an operator the operations that change the line, and counts it', async () => {
    const { handlers, ran } = recordingHandlers();
    const counters = createBoundaryCounters();
    const reply = await dispatch(handlers, 'setThresholds', { thresholds: { pit: 0.7, maybe: 0.4 }, reason: 'x' }, counters, operator());
    expect(reply).toEqual({ ok: false, error: 'Changing the thresholds needs a technician: sign in with your PIN first' });
    expect(ran).toEqual([]);
    expect(counters.denied).toBe(1);
  });

  it("runs a technician's change with the technician named, and keeps the session alive", async () => {
    const { handlers, ran } = recordingHandlers();
    const counters = createBoundaryCounters();
    let now = 0;
    const manager = new SessionManager({ auth: AuthConfigSchema.parse({ idleLogoutS: 60 }), now: () => now });
    const session = manager.open('ipc', 'desktop');
    await session.signIn('technician', '1234');
    now = 50_000;
    const reply = await dispatch(handlers, 'rollbackModel', { reason: 'bad lot' }, counters, session);
    expect(reply).toEqual({ ok: true, value: { op: 'rollbackModel', request: { reason: 'bad lot' }, actor: 'technician (desktop)' } });
    expect(ran).toEqual(['rollbackModel']);
    now = 100_000;
    manager.tick();
    expect(session.role).toBe('technician');
  });

  it('answers a failing handler with its message, counted as failed, and never names an operation in what a person reads', async () => {
    const { handlers } = recordingHandlers();
    const counters = createBoundaryCounters();
    expect(await dispatch(handlers, 'getAudit', { limit: 5 }, counters, operator())).toEqual({ ok: false, error: 'disk on fire' });
    expect(counters.failed).toBe(1);
    // Every refusal the boundary writes itself, for every operation: no operation name in it (issue 12).
    for (const op of OPERATION_NAMES) {
      const refused = await dispatch(handlers, op, { notAField: 1 }, counters, operator());
      expect(refused.ok).toBe(false);
      if (!refused.ok) expect(refused.error, op).not.toMatch(new RegExp(`\\b(${OPERATION_NAMES.join('|')})\\b`));
    }
  });
});
