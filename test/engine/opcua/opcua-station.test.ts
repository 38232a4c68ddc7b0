/**
 * The OPC UA server wired to the running station (issue 17, src/engine/station/plant-buses.ts): a real node-opcua
 * client on loopback reads the station's state and counts, is told of each decision by a subscription, selects a
 * recipe by a method (the line switches to it, audited under the client's user), and acknowledges the PLC's result
 * by a method (the PLC's RESULT_READY drops). Beside it, the PLC handshake over Modbus TCP gives the results.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type ModbusRTU from 'modbus-serial';
import {
  AttributeIds,
  ClientSubscription,
  DataType,
  MessageSecurityMode,
  OPCUAClient,
  SecurityPolicy,
  TimestampsToReturn,
  type ClientSession,
} from 'node-opcua';
import { afterEach, describe, expect, it } from 'vitest';
import { DISCRETE, INPUT, INPUTS } from '../../../src/engine/plc/plc-map';
import { useRunningEngines } from '../../helpers/engine';
import { freePort } from '../../helpers/free-port';
import { plcClient, trigger } from '../../helpers/plc-simulator';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from '../../helpers/wait';

describe('OPC UA on the running station', () => {
  const tempDir = useTempDirs();
  const engines = useRunningEngines();
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  });

  it('reads and subscribes to the station, selects a recipe and acknowledges the PLC’s result by its methods', async () => {
    const dir = tempDir();
    const [plcPort, opcPort] = [await freePort(), await freePort()];
    const engine = await engines.start(dir, {
      source: { kind: 'replay', fps: 100, loop: true },
      sensors: { sources: [] },
      plc: { kind: 'modbus-tcp', port: plcPort },
      opcua: { kind: 'server', port: opcPort, securityModes: ['None'], allowAnonymous: true },
    });
    const configured = engine.listModels().find((m) => m.configured)!;
    engine.recipes.save({ index: 4, name: 'Kordia 28+', modelId: configured.id, thresholds: { pit: 0.7, maybe: 0.45 } }, 'tech-anna');

    const client = OPCUAClient.create({
      applicationName: 'LineSight station test',
      endpointMustExist: false,
      securityMode: MessageSecurityMode.None,
      securityPolicy: SecurityPolicy.None,
      connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
      keepSessionAlive: false,
    });
    await client.connect(`opc.tcp://127.0.0.1:${opcPort}`);
    closers.push(() => client.disconnect());
    const session: ClientSession = await client.createSession();
    closers.push(() => session.close());
    const node = (path: string): string => `ns=1;s=LineSight${path ? `.${path}` : ''}`;
    const read = async (path: string): Promise<unknown> => (await session.read({ nodeId: node(path), attributeId: AttributeIds.Value })).value.value;

    // The station's state, each second from its status.
    await waitFor('the state', async () => (await read('State')) === 'running', 10_000);
    expect(await read('Model')).toBe('demo-cherry');
    expect(await read('Ready')).toBe(true);

    // Told of each decision: a PLC trigger, and LastResult.Id changes with it.
    const subscription = ClientSubscription.create(session, { requestedPublishingInterval: 50, maxNotificationsPerPublish: 100, publishingEnabled: true });
    closers.push(() => subscription.terminate());
    const seen: number[] = [];
    const monitored = await subscription.monitor(
      { nodeId: node('LastResult.Id'), attributeId: AttributeIds.Value },
      { samplingInterval: 0, discardOldest: true, queueSize: 100 },
      TimestampsToReturn.Both,
    );
    monitored.on('changed', (dv) => seen.push(dv.value.value as number));
    const plc: ModbusRTU = await plcClient(plcPort);
    closers.push(() => new Promise<void>((r) => plc.close(() => r())));
    const before = (await read('Counts.Inspected')) as number;
    await trigger(plc, 501);
    await waitFor('the PLC result', async () => (await plc.readDiscreteInputs(0, 8)).data[DISCRETE.RESULT_READY], 5_000);
    const frameId = engine.getRecentInspections(1)[0]!.frameId;
    await waitFor('the subscription told of the decision', () => seen.includes(frameId), 5_000);
    expect((await read('Counts.Inspected')) as number).toBeGreaterThan(before);
    expect(['OK', 'NG', 'DIVERT']).toContain(await read('LastResult.Verdict'));

    // AcknowledgeResult: a wrong id is refused; the shown one's acknowledged, and the PLC's RESULT_READY drops.
    const ack = async (id: number): Promise<unknown[]> => {
      const r = await session.call({ objectId: node(''), methodId: node('AcknowledgeResult'), inputArguments: [{ dataType: DataType.UInt32, value: id }] });
      return (r.outputArguments ?? []).map((v) => v.value as unknown);
    };
    expect(await ack(999)).toEqual([false, "the result shown is trigger 501's, not 999's"]);
    expect(await ack(501)).toEqual([true, 'result of trigger 501 acknowledged']);
    expect((await plc.readDiscreteInputs(0, 8)).data[DISCRETE.RESULT_READY]).toBe(false);

    // SelectRecipe: the line switches to it (answered once in force); an unknown one is refused with the reason.
    const select = async (recipe: string): Promise<unknown[]> => {
      const r = await session.call({ objectId: node(''), methodId: node('SelectRecipe'), inputArguments: [{ dataType: DataType.String, value: recipe }] });
      return (r.outputArguments ?? []).map((v) => v.value as unknown);
    };
    expect(await select('Kordia 28+')).toEqual([true, 'recipe "Kordia 28+" is in force']);
    expect(engine.getStatus()).toMatchObject({ thresholds: { pit: 0.7, maybe: 0.45 }, recipe: { name: 'Kordia 28+', inForce: true } });
    await waitFor('the Recipe variable', async () => (await read('Recipe')) === 'Kordia 28+', 5_000);
    expect((await plc.readInputRegisters(0, INPUTS)).data[INPUT.RECIPE_CURRENT]).toBe(4);
    expect(await select('Regina')).toEqual([false, 'there is no recipe named "Regina"']);
    expect(engine.getStatus().opcua).toMatchObject({ sessions: 1, methodCalls: 4, methodCallsRefused: 2 });

    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    await engine.stop();
    const db = new Database(join(dir, 'linesight.sqlite'), { readonly: true });
    const audit = db.prepare(`SELECT actor, new_json FROM audit WHERE subject = 'recipe' ORDER BY seq`).all() as { actor: string; new_json: string }[];
    db.close();
    expect(audit.map((a) => [a.actor, (JSON.parse(a.new_json) as { action: string; via?: string }).via ?? null])).toEqual([
      ['tech-anna', null],
      ['opcua:anonymous', 'opcua'],
    ]);
  }, 60_000);
});
