/**
 * Turns zod errors into lines a technician or an IT person can act on:
 * "path: problem; path: problem".
 *
 * `plainIssueMessages` is an error map for parses whose reader is a person
 * editing a file (the station's config): zod's own wording ("Invalid input:
 * expected string, received undefined", "Invalid discriminator value") says
 * what the parser saw, not what to write. It says what is missing or wrong
 * in words, and for an unknown key or value suggests the nearest known one
 * ("sever": did you mean "server"?), at every level of the file. Messages a
 * schema sets itself (a PIN hash's, a station id's) win over it.
 */
import type { z } from 'zod';

/** "upload.targets[0].id", or "(top level)". */
export function issuePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}

export function describeZodError(error: z.ZodError): string {
  return error.issues.map((issue) => `${issuePath(issue.path)}: ${issue.message}`).join('; ');
}

/** Edit distance with adjacent transpositions counted as one ("prot" → "port"). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known word nearest to a typo, when it is near enough to be the one meant (a third of its letters, at least one). */
export function nearest(word: string, known: readonly string[]): string | null {
  const w = word.toLowerCase();
  let best: { name: string; d: number } | null = null;
  for (const name of known) {
    const d = distance(w, name.toLowerCase());
    if (best === null || d < best.d) best = { name, d };
  }
  if (best === null || best.d > Math.max(1, Math.floor(best.name.length / 3))) return null;
  return best.name;
}

const quoted = (values: readonly unknown[]): string => values.map((v) => JSON.stringify(v)).join(', ');

/** The value as a person would name it in a message. */
function valueText(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object { … }';
    default:
      return typeof value;
  }
}

const EXPECTED: Record<string, string> = {
  string: 'text in double quotes',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list [ … ]',
  object: 'an object { … }',
  record: 'an object { … }',
  tuple: 'a list [ … ]',
};

/** The keys an object schema knows, when the issue came from one. */
function knownKeys(inst: unknown): string[] {
  const def = (inst as { _zod?: { def?: { type?: string; shape?: Record<string, unknown> } } } | undefined)?._zod?.def;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

function unknownKey(key: string, known: readonly string[]): string {
  const guess = nearest(key, known);
  if (guess) return `unknown key "${key}": did you mean "${guess}"?`;
  return known.length > 0 ? `unknown key "${key}" (the keys here are ${known.join(', ')})` : `unknown key "${key}"`;
}

function notOneOf(value: unknown, options: readonly unknown[]): string {
  const strings = options.filter((o): o is string => typeof o === 'string');
  const guess = typeof value === 'string' ? nearest(value, strings) : null;
  const list = `one of ${quoted(options)}`;
  if (value === undefined) return `missing: ${list}`;
  return `${valueText(value)} is not ${list}${guess ? `: did you mean "${guess}"?` : ''}`;
}

const bound = (origin: string, n: number | bigint, word: 'at least' | 'at most', inclusive: boolean | undefined): string => {
  switch (origin) {
    case 'string':
      return `${word} ${n} characters`;
    case 'array':
    case 'set':
      return `${word} ${n} entries`;
    default:
      return inclusive === false ? `${word === 'at least' ? 'more' : 'less'} than ${n}` : `${word} ${n}`;
  }
};

export const plainIssueMessages: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return issue.input === undefined ? `missing: this key is needed (${expected})` : `must be ${expected}, not ${valueText(issue.input)}`;
    }
    case 'unrecognized_keys':
      return issue.keys.map((k) => unknownKey(k, knownKeys(issue.inst))).join('; ');
    case 'invalid_union': {
      // A discriminated union: the input is the object, and its discriminator is what is wrong.
      const options = 'options' in issue && Array.isArray(issue.options) ? (issue.options as readonly unknown[]) : null;
      if (issue.discriminator === undefined || options === null) return undefined;
      const input = issue.input;
      const value = input !== null && typeof input === 'object' ? (input as Record<string, unknown>)[issue.discriminator] : undefined;
      return notOneOf(value, options);
    }
    case 'invalid_value':
      return notOneOf(issue.input, issue.values);
    case 'too_small':
      return `must be ${bound(issue.origin, issue.minimum, 'at least', issue.inclusive)}${typeof issue.input === 'number' ? `, not ${issue.input}` : ''}`;
    case 'too_big':
      return `must be ${bound(issue.origin, issue.maximum, 'at most', issue.inclusive)}${typeof issue.input === 'number' ? `, not ${issue.input}` : ''}`;
    default:
      return undefined;
  }
};
