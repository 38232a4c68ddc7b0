/**
 * Technician PINs are stored as scrypt hashes, never as PINs:
 * `scrypt$N$r$p$salt$hash` (salt and hash in base64). Hashing runs on libuv's
 * thread pool (crypto.scrypt), so a sign-in never stalls the thread that
 * serves the UI. A short PIN is weak against a stolen config file whatever
 * the hash; the lock-out (sign-in-guard.ts) is what protects it at the screen.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { PIN_HASH_PATTERN } from '../../shared/access-config';

const KEY_BYTES = 32;
const DEFAULT_COST = { N: 16_384, r: 8, p: 1 } as const;

function derive(pin: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(pin, salt, KEY_BYTES, { ...options, maxmem: 256 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPin(pin: string, cost: { N: number; r: number; p: number } = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(pin, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export class PinHashError extends Error {
  override readonly name = 'PinHashError';
}

/** Whether the PIN matches the stored hash; compares in constant time. */
export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  if (!PIN_HASH_PATTERN.test(stored)) throw new PinHashError('the stored PIN hash is not in the scrypt$N$r$p$salt$hash form');
  const [, n, r, p, salt, hash] = stored.split('$') as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(pin, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}
