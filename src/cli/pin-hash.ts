/**
 * npm run pin-hash [-- --name NAME]
 * npm run pin-hash -- --opcua-user NAME
 *
 * Reads a technician's PIN from standard input (so it stays out of the shell
 * history) and prints the line to paste into the config file's
 * auth.technicians: { "name": …, "pinHash": "scrypt$…" }. Exit code 2 for a
 * PIN that is not 4 to 12 digits.
 *
 * With --opcua-user, a password for an OPC UA user instead (opcua.users:
 * { "name": …, "passwordHash": … }): at least 12 characters, since a client
 * on the plant network may guess at it, where a PIN is typed at the screen.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { TechnicianSchema } from '../shared/access-config';
import { PinSchema } from '../shared/session';
import { describeZodError } from '../shared/zod-errors';
import { hashPin } from '../engine/auth/pin-hash';
import { OpcUaUserSchema } from '../shared/opcua-config';
import { z } from 'zod';

const OpcUaPasswordSchema = z.string().min(12, 'an OPC UA password is at least 12 characters').max(128, 'an OPC UA password is at most 128 characters');

function fail(message: string): never {
  process.stderr.write(
    `pin-hash: ${message}\nUsage: npm run pin-hash -- [--name NAME]   (type the PIN, then Enter)\n       npm run pin-hash -- --opcua-user NAME   (type the password, then Enter)\n`,
  );
  process.exit(2);
}

async function main(): Promise<void> {
  let name = 'technician';
  let opcuaUser: string | undefined;
  try {
    const { values } = parseArgs({ options: { name: { type: 'string' }, 'opcua-user': { type: 'string' } }, strict: true });
    name = values.name ?? name;
    opcuaUser = values['opcua-user'];
  } catch (err) {
    fail((err as Error).message);
  }
  if (process.stdin.isTTY)
    process.stderr.write(opcuaUser !== undefined ? `password for OPC UA user ${opcuaUser} (12 characters or more): ` : `PIN for ${name} (4 to 12 digits): `);
  const line = await new Promise<string>((resolve) => {
    const rl = createInterface({ input: process.stdin });
    rl.once('line', (l) => {
      // Resolved before close(), which would otherwise resolve with nothing.
      resolve(l);
      rl.close();
    });
    rl.once('close', () => resolve(''));
  });
  if (opcuaUser !== undefined) {
    // Taken as typed (spaces count), less the line's end.
    const password = OpcUaPasswordSchema.safeParse(line.replace(/\r$/, ''));
    if (!password.success) fail(describeZodError(password.error).replace(/^\(top level\): /, ''));
    const user = OpcUaUserSchema.safeParse({ name: opcuaUser, passwordHash: await hashPin(password.data) });
    if (!user.success) fail(describeZodError(user.error));
    process.stdout.write(`${JSON.stringify(user.data)}\n`);
    return;
  }
  const pin = PinSchema.safeParse(line.trim());
  if (!pin.success) fail(describeZodError(pin.error).replace(/^\(top level\): /, ''));
  const technician = TechnicianSchema.safeParse({ name, pinHash: await hashPin(pin.data) });
  if (!technician.success) fail(describeZodError(technician.error));
  process.stdout.write(`${JSON.stringify(technician.data)}\n`);
}

void main();
