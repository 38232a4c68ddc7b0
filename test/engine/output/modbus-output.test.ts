/** The Modbus reject output against a real Modbus RTU server on a socat pair. */
import { afterEach, describe, expect, it } from 'vitest';
import { ServerSerial } from 'modbus-serial';
import { OutputConfigSchema } from '../../../src/shared/storage-config';
import { createRejectOutput } from '../../../src/engine/output/reject-output';
import { startPtyPair } from '../../helpers/socat';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from '../../helpers/wait';

describe('Modbus reject output', () => {
  const tempDir = useTempDirs();
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('pulses the reject and divert coils and toggles the heartbeat coil only while healthy', async () => {
    const ptys = await startPtyPair(tempDir());
    cleanup.push(() => ptys.close());
    const writes: { address: number; value: boolean }[] = [];
    const sorter = new ServerSerial(
      {
        setCoil: (address: number, value: boolean) => void writes.push({ address, value }),
        getCoil: () => false,
        getHoldingRegister: () => 0,
      },
      { path: ptys.a, baudRate: 9600, unitID: 5 },
    );
    cleanup.push(() => new Promise<void>((r) => sorter.close(() => r())));
    const output = createRejectOutput(
      OutputConfigSchema.parse({ kind: 'modbus', path: ptys.b, unitId: 5, coils: { pit: 10, maybe: 11, heartbeat: 12 }, pulseMs: 30, heartbeatMs: 50 }),
    );
    cleanup.push(() => output.close());
    await waitFor('the output ready', () => output.status().state === 'ready', 5000);
    output.decide(1, 'pit');
    output.decide(2, 'maybe');
    output.decide(3, 'clean');
    await waitFor('pulses', () => writes.filter((w) => w.address !== 12).length >= 4, 5000);
    expect(writes.filter((w) => w.address === 10).map((w) => w.value)).toEqual([true, false]);
    expect(writes.filter((w) => w.address === 11).map((w) => w.value)).toEqual([true, false]);
    expect(writes.some((w) => w.address === 12)).toBe(false); // not healthy yet: no heartbeat
    output.setHealthy(true);
    await waitFor('heartbeats', () => writes.filter((w) => w.address === 12).length >= 3, 5000);
    expect(output.status()).toMatchObject({ kind: 'modbus', heartbeat: true, commandsSent: 2 });
    output.setHealthy(false);
    await new Promise((r) => setTimeout(r, 120));
    const beats = writes.filter((w) => w.address === 12).length;
    await new Promise((r) => setTimeout(r, 300));
    expect(writes.filter((w) => w.address === 12).length).toBe(beats);
  });
});
