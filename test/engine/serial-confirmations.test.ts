/**
 * Confirmed rejects without a PLC (issue 17, src/engine/output/reject-output.ts): the station free-runs, sends
 * REJECT <frame> to the sorter on a real serial line (a socat pair), and the sorter answers EJECTED <frame> once its
 * ejector fired. A reject it does not confirm raises the ejector alarm and, by policy, holds the fail-safe until a
 * reject is confirmed again; junk on the line is counted, never taken for a confirmation.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SerialPort } from 'serialport';
import { useRunningEngines } from '../helpers/engine';
import { startPtyPair } from '../helpers/socat';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

describe('confirmed rejects over the serial output', () => {
  const tempDir = useTempDirs();
  const engines = useRunningEngines();
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('holds the fail-safe when the sorter does not confirm a reject (policy fail-safe), and lets go at the next confirmed one', async () => {
    const ptys = await startPtyPair(tempDir());
    cleanup.push(() => ptys.close());
    const { SerialPort: Port } = await import('serialport');
    const sorter: SerialPort = new Port({ path: ptys.a, baudRate: 115_200 });
    cleanup.push(() => new Promise<void>((r) => sorter.close(() => r())));
    // The sorter: confirms every reject, until told to stop; junk first.
    let confirming = true;
    let heard = '';
    const withheld: number[] = [];
    sorter.on('data', (d: Buffer) => {
      heard += d.toString();
      for (;;) {
        const nl = heard.indexOf('\n');
        if (nl < 0) break;
        const line = heard.slice(0, nl);
        heard = heard.slice(nl + 1);
        const m = /^REJECT (\d+)$/.exec(line);
        if (!m) continue;
        if (confirming) sorter.write(`EJECTED ${m[1]}\r\n`);
        else withheld.push(Number(m[1]));
      }
    });
    const engine = await engines.start(tempDir(), {
      source: { kind: 'replay', fps: 50, loop: true },
      sensors: { sources: [] },
      output: { kind: 'serial', path: ptys.b, heartbeatMs: 50, confirm: { withinMs: 300, policy: 'fail-safe' } },
    });
    await waitFor('rejects confirmed', () => (engine.getStatus().output.rejects?.confirmed ?? 0) >= 3, 20_000);
    sorter.write('x'.repeat(2000) + '\nEJECTED\nhello 12\n');
    await waitFor('junk counted', () => engine.getStatus().output.rejects!.junk >= 2, 5_000);
    expect(engine.getStatus().alarms.some((a) => a.kind === 'ejector')).toBe(false);
    // The sorter speaks only to answer: its first line after the port opened is a whole confirmation, never lost.
    expect(engine.getStatus().output.rejects!.missing).toBe(0);

    confirming = false;
    const alarm = await waitFor('the ejector alarm', () => engine.getStatus().alarms.find((a) => a.kind === 'ejector'), 10_000);
    expect(alarm.message).toBe(
      `ejector did not confirm the reject of item ${withheld[0]} within 300 ms: every item is rejected until a reject is confirmed again`,
    );
    expect(engine.getStatus().failSafe.engaged).toBe(true);
    // While held, every item is rejected without a look: each reject goes to the sorter and waits for its confirmation.
    await waitFor('an item rejected while held', () => engine.getRecentInspections(5).some((i) => i.failSafeReason?.includes('ejector')), 5_000);

    confirming = true;
    await waitFor('the alarm cleared', () => !engine.getStatus().alarms.some((a) => a.kind === 'ejector'), 10_000);
    expect(engine.getStatus().failSafe.engaged).toBe(false);
    const rejects = engine.getStatus().output.rejects!;
    expect(rejects.missing).toBeGreaterThanOrEqual(1);
    expect(rejects.confirmed).toBeGreaterThan(3);
    expect(engine.getStatus().output.rejects!.junk).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
