/**
 * Secrets kept out of a support bundle (src/cli/support-bundle.ts):
 * server.token, upload tokens and passwords, PIN hashes (a hash of a 4-digit
 * PIN is as good as the PIN), a password inside a URL anywhere in a text
 * (postgres://user:password@host, rtsp://user:password@camera), secret query
 * parameters (?password=…), and HTTP headers given to ffmpeg. maskSecrets
 * keeps the config's shape, so a reader sees which secrets are set;
 * secretsIn and scrubSecrets take the same values out of everything else
 * (status, events, the journal), where a camera's address may be quoted.
 */
const SECRET_KEYS = /^(token|pinHash|password|secret|apiKey|key|passphrase)$/i;
const MASK = '••••••';
/** user:password@ in a URL: the password may itself hold an @ (unescaped); it ends at the last @ before the host. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s"']*):([^\s"']*)@/gi;
const SECRET_QUERY = /([?&](?:password|passwd|pwd|token|access_token|api_?key|key|secret)=)[^&#\s"']*/gi;

/** A text with every URL password and secret query parameter masked. */
export function maskInText(text: string): string {
  return text.replace(URL_PASSWORD, `$1:${MASK}@`).replace(SECRET_QUERY, `$1${MASK}`);
}

export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return maskArgs(value).map(maskSecrets);
  if (typeof value === 'string') return maskInText(value);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, SECRET_KEYS.test(key) && v !== undefined && v !== null ? MASK : maskSecrets(v)]));
}

/** ffmpeg's `-headers VALUE` (an Authorization header, say): the value is masked. */
function maskArgs(list: readonly unknown[]): unknown[] {
  return list.map((v, i) => (i > 0 && list[i - 1] === '-headers' ? MASK : v));
}

/** Every secret value in a configuration, to be scrubbed wherever else it appears. */
export function secretsIn(value: unknown, found: Set<string> = new Set()): string[] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      if (i > 0 && value[i - 1] === '-headers' && typeof v === 'string') found.add(v);
      secretsIn(v, found);
    });
  } else if (typeof value === 'string') {
    for (const m of value.matchAll(URL_PASSWORD)) if (m[2]) found.add(m[2]);
    for (const m of value.matchAll(SECRET_QUERY)) {
      const v = m[0].slice(m[1]!.length);
      if (v) found.add(v);
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (SECRET_KEYS.test(key) && typeof v === 'string') found.add(v);
      else secretsIn(v, found);
    }
  }
  return [...found].filter((s) => s.length >= 4);
}

/** The text with every occurrence of each secret, and every URL password, masked. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so that a secret containing another is masked whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(MASK);
  return maskInText(out);
}
