/**
 * npm run pin-hash [-- --name NAME]
 *
 * Reads a technician's PIN from standard input (so it stays out of the shell
 * history) and prints the line to paste into the config file's
 * auth.technicians: { "name": …, "pinHash": "scrypt$…" }. Exit code 2 for a
 * PIN that is not 4 to 12 digits.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { TechnicianSchema } from '../shared/access-config';
import { PinSchema } from '../shared/session';
import { describeZodError } from '../shared/zod-errors';
import { hashPin } from '../engine/auth/pin-hash';

function fail(message: string): never {
  process.stderr.write(`pin-hash: ${message}\nUsage: npm run pin-hash -- [--name NAME]   (type the PIN, then Enter)\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let name = 'technician';
  try {
    const { values } = parseArgs({ options: { name: { type: 'string' } }, strict: true });
    name = values.name ?? name;
  } catch (err) {
    fail((err as Error).message);
  }
  if (process.stdin.isTTY) process.stderr.write(`PIN for ${name} (4 to 12 digits): `);
  const line = await new Promise<string>((resolve) => {
    const rl = createInterface({ input: process.stdin });
    rl.once('line', (l) => {
      // Resolved before close(), which would otherwise resolve with nothing.
      resolve(l);
      rl.close();
    });
    rl.once('close', () => resolve(''));
  });
  const pin = PinSchema.safeParse(line.trim());
  if (!pin.success) fail(describeZodError(pin.error).replace(/^\(top level\): /, ''));
  const technician = TechnicianSchema.safeParse({ name, pinHash: await hashPin(pin.data) });
  if (!technician.success) fail(describeZodError(technician.error));
  process.stdout.write(`${JSON.stringify(technician.data)}\n`);
}

void main();
