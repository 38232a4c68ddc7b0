/**
 * A copy of a configuration with its secrets masked, for a support bundle
 * (src/cli/support-bundle.ts): server.token, upload tokens and passwords, PIN
 * hashes (a hash of a 4-digit PIN is as good as the PIN), and the password in
 * a connection string (postgres://user:password@host). The shape stays, so a
 * reader sees which secrets are set.
 */
const SECRET_KEYS = /^(token|pinHash|password|secret|apiKey|key|passphrase)$/i;
const MASK = '••••••';

/** user:password@ in any URL-like string: the password is masked, the rest kept. */
function maskUrlPassword(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):([^@\s]*)@/i, `$1:${MASK}@`);
}

export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (typeof value === 'string') return maskUrlPassword(value);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, SECRET_KEYS.test(key) && v !== undefined && v !== null ? MASK : maskSecrets(v)]));
}
