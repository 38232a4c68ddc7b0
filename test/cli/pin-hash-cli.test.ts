/** `npm run pin-hash` as an installer runs it: the PIN on stdin, a config entry out, whose hash the station accepts. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuthConfigSchema } from '../../src/shared/access-config';
import { OpcUaUserSchema } from '../../src/shared/opcua-config';
import { verifyPin } from '../../src/engine/auth/pin-hash';
import { ROOT } from '../helpers/paths';

const pinHash = (input: string, ...args: string[]) => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'pin-hash.ts'), ...args], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
};

describe('npm run pin-hash', () => {
  it('prints a technician entry for the config file whose hash verifies the PIN', async () => {
    const run = pinHash('4711\n', '--name', 'Ana Ruiz');
    expect(run.code).toBe(0);
    const entry = JSON.parse(run.stdout) as { name: string; pinHash: string };
    expect(entry.name).toBe('Ana Ruiz');
    expect(run.stdout).not.toContain('4711');
    expect(await verifyPin('4711', entry.pinHash)).toBe(true);
    expect(AuthConfigSchema.parse({ technicians: [entry] }).technicians).toEqual([entry]);
  });

  it('prints an OPC UA user entry whose hash verifies a password of 12 characters or more, and refuses a shorter one', async () => {
    const run = pinHash('line 7 keeps going\n', '--opcua-user', 'scada');
    expect(run.code).toBe(0);
    const entry = JSON.parse(run.stdout) as { name: string; passwordHash: string };
    expect(entry.name).toBe('scada');
    expect(await verifyPin('line 7 keeps going', entry.passwordHash)).toBe(true);
    expect(OpcUaUserSchema.parse(entry)).toEqual(entry);
    const short = pinHash('4711\n', '--opcua-user', 'scada');
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/pin-hash: an OPC UA password is at least 12 characters/);
  });

  it('refuses a PIN that is not 4 to 12 digits, with exit code 2', () => {
    const run = pinHash('12a4\n');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/pin-hash: a PIN is 4 to 12 digits/);
    expect(pinHash('').code).toBe(2);
  });
});
