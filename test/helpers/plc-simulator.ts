/**
 * A PLC simulator's side of the handshake (issue 17, src/engine/plc/plc-map.ts), as a PLC's Modbus TCP client
 * talks: trigger with an id, scan for RESULT_READY, read the result and acknowledge it.
 */
import { connect, type Socket } from 'node:net';
import ModbusRTU from 'modbus-serial';
import { COIL, DISCRETE, HOLDING, INPUT, INPUTS } from '../../src/engine/plc/plc-map';

export interface Result {
  readonly id: number;
  readonly decision: number;
  readonly errorCode: number;
  readonly cycleMs: number;
  readonly ok: boolean;
  readonly ng: boolean;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A bare TCP connection to the PLC port (a tool that connects and says nothing). */
export function connectRaw(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
    s.on('close', () => s.destroy());
  });
}

/** A PLC's Modbus TCP client. */
export async function plcClient(port: number): Promise<ModbusRTU> {
  const client = new ModbusRTU();
  await client.connectTCP('127.0.0.1', { port });
  client.setID(1);
  client.setTimeout(2000);
  return client;
}

/** The PLC's result scan: while RESULT_READY, read the result, then acknowledge it (a rising edge on RESULT_ACK). */
export async function takeResult(client: ModbusRTU): Promise<Result | null> {
  const di = (await client.readDiscreteInputs(0, 8)).data;
  if (!di[DISCRETE.RESULT_READY]) return null;
  const ir = (await client.readInputRegisters(0, INPUTS)).data;
  await client.writeCoil(COIL.RESULT_ACK, true);
  await client.writeCoil(COIL.RESULT_ACK, false);
  return {
    id: ir[INPUT.RESULT_ID]!,
    decision: ir[INPUT.DECISION]!,
    errorCode: ir[INPUT.ERROR_CODE]!,
    cycleMs: ir[INPUT.CYCLE_MS]!,
    ok: di[DISCRETE.RESULT_OK]!,
    ng: di[DISCRETE.RESULT_NG]!,
  };
}

export async function trigger(client: ModbusRTU, id: number): Promise<void> {
  await client.writeRegister(HOLDING.TRIGGER_ID, id);
  await client.writeCoil(COIL.TRIGGER, true);
  await client.writeCoil(COIL.TRIGGER, false);
}
