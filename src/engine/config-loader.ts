/**
 * Reads and validates the station's config file, and resolves every path in
 * it (relative to the file) and every default (relative to the app's root).
 *
 * Its reader is an IT person at a factory PC, often with nobody to ask, so
 * every refusal names the file, the key and what to do: an unknown key with
 * the nearest known one, a path that is not there with the part of it that
 * is missing, a duplicate key (which JSON.parse would take silently, the
 * last one winning), a syntax error with its line and column. A UTF-8 byte
 * order mark (Notepad writes one) is dropped. A threshold given alone is
 * completed from the configured model's manifest.
 */
import { readFile, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { printParseErrorCode, visit, type ParseErrorCode } from 'jsonc-parser';
import { StationConfigSchema, type StationConfig } from '../shared/config';
import type { SourceConfig } from '../shared/source-config';
import { describeZodError, issuePath, plainIssueMessages } from '../shared/zod-errors';
import { MANIFEST_FILE, readManifest } from './model-package';
import { defaultImportRoots } from './models/import-candidates';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface ResolvedConfig {
  /** Every path in it is absolute. */
  readonly config: StationConfig;
  readonly modelDir: string;
  /** The file it came from, or null for the embedded default. */
  readonly file: string | null;
}

/** Where the bundled model and demo data live. */
export interface AppPaths {
  readonly defaultModelDir: string;
  readonly defaultReplayDir: string;
  readonly defaultSensorModelDir: string;
  readonly defaultSensorRecording: string;
  /** The models that ship with the app, offered for import beside removable media. */
  readonly bundledModelsDir: string;
}

/** A config file is a few kilobytes; anything this large is the wrong file (a log, an image), read no further. */
const MAX_CONFIG_BYTES = 1024 * 1024;

export async function loadConfig(file: string | undefined, app: AppPaths): Promise<ResolvedConfig> {
  const path = file !== undefined ? resolve(file) : null;
  const base = path !== null ? dirname(path) : process.cwd();
  let raw: unknown = {};
  if (path !== null) {
    raw = parseConfigText(await readConfigText(path), path);
    await checkModelDir(raw, base, path);
    raw = await completeThresholds(raw, base, app, path);
  }
  const parsed = StationConfigSchema.safeParse(raw, { error: plainIssueMessages });
  if (!parsed.success) {
    throw new ConfigError(`config file ${path ?? '(default)'} is invalid: ${describeZodError(parsed.error)}`);
  }
  const config = resolvePaths(parsed.data, base, app);
  if (path !== null) await checkNamedPaths(parsed.data, config, path);
  return {
    config,
    file: path,
    modelDir: config.model.dir !== undefined ? resolve(base, config.model.dir) : app.defaultModelDir,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What is missing of a path that cannot be opened: the first part that is not there, or a file where a folder should be. */
async function whatIsMissing(path: string): Promise<string> {
  let child = path;
  let parent = dirname(path);
  while (parent !== child) {
    try {
      const info = await stat(parent);
      if (!info.isDirectory()) return `${parent} is a file, not a folder (ENOTDIR)`;
      return `there is no "${basename(child)}" in ${parent} (ENOENT)`;
    } catch {
      child = parent;
      parent = dirname(parent);
    }
  }
  return `${path} does not exist (ENOENT)`;
}

/** A file-system error in words, naming the part of the path at fault; the code stays in brackets for whoever searches it. */
async function fsProblem(path: string, err: unknown): Promise<string> {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return whatIsMissing(path);
    case 'EACCES':
    case 'EPERM': {
      let user = 'this user';
      try {
        user = `user ${userInfo().username}`;
      } catch {
        // no name for this user: say "this user"
      }
      return `permission denied to ${user} (${code})`;
    }
    case 'ELOOP':
      return `too many symbolic links (${code})`;
    case 'EISDIR':
      return `it is a folder (${code})`;
    default:
      return code ?? String(err);
  }
}

async function readConfigText(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new ConfigError(`config file ${path} is a folder: give the path of the JSON file`);
    if (!info.isFile()) throw new ConfigError(`config file ${path} is not a regular file`);
    if (info.size > MAX_CONFIG_BYTES)
      throw new ConfigError(`config file ${path} has ${info.size} bytes, more than a config file's 1 MiB: is it the right file?`);
    bytes = await readFile(path);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`cannot read config file ${path}: ${await fsProblem(path, err)}`);
  }
  // Windows editors save "Unicode" as UTF-16, which no JSON reader here takes: say so rather than show its bytes.
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new ConfigError(`config file ${path} is saved as UTF-16 ("Unicode"): save it as UTF-8`);
  }
  // Notepad starts UTF-8 files with a byte order mark; JSON.parse would call it an unexpected (invisible) token.
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start));
  } catch {
    throw new ConfigError(`config file ${path} is not UTF-8 text: save it as UTF-8`);
  }
}

const SYNTAX: Partial<Record<ReturnType<typeof printParseErrorCode>, string>> = {
  InvalidSymbol: 'a character JSON does not allow here',
  InvalidNumberFormat: 'a number JSON cannot read',
  PropertyNameExpected: 'a key in double quotes expected (JSON keys need quotes, and no comma may come before "}")',
  ValueExpected: 'a value expected (no comma may come before "]" or "}")',
  ColonExpected: '":" expected after the key',
  CommaExpected: '"," expected between two entries',
  CloseBraceExpected: '"}" expected',
  CloseBracketExpected: '"]" expected',
  EndOfFileExpected: 'nothing may follow the last "}"',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'comments are not allowed in JSON',
  UnexpectedEndOfString: 'a text is not closed with a double quote',
  UnexpectedEndOfNumber: 'a number is cut short',
  InvalidUnicode: 'a \\u escape needs four hex digits',
  InvalidEscapeCharacter: 'a backslash JSON does not know: write \\\\ for one backslash (or / in Windows paths)',
  InvalidCharacter: 'a tab or line break inside a text',
};

/** JSON.parse decides what is valid; the scan beside it gives the line and column of an error and finds duplicate keys. */
function parseConfigText(text: string, path: string): unknown {
  let syntax: string | null = null;
  const duplicates: string[] = [];
  const objects: Map<string, string>[] = [];
  visit(
    text,
    {
      onObjectBegin: () => {
        objects.push(new Map());
      },
      onObjectEnd: () => {
        objects.pop();
      },
      onObjectProperty: (key: string, _offset: number, _length: number, line: number, column: number, pathOf: () => (string | number)[]) => {
        const keys = objects.at(-1);
        const at = `line ${line + 1}, column ${column + 1}`;
        const first = keys?.get(key);
        if (first !== undefined) {
          const where = pathOf().length > 0 ? `in ${issuePath(pathOf())}` : 'at the top level';
          duplicates.push(`"${key}" twice ${where} (${first} and ${at})`);
        } else keys?.set(key, at);
      },
      onError: (error: ParseErrorCode, offset: number, _length: number, line: number, column: number) => {
        if (syntax !== null) return;
        const name = printParseErrorCode(error);
        const near = text.slice(offset, offset + 20).split('\n')[0] ?? '';
        // The usual InvalidSymbol is a key or a text written without its quotes (JavaScript style).
        const what =
          name === 'InvalidSymbol' && /^[A-Za-z_]/.test(near) ? 'a word without double quotes (JSON needs them around keys and texts)' : (SYNTAX[name] ?? name);
        syntax = `line ${line + 1}, column ${column + 1}: ${what}${near ? ` (at ${JSON.stringify(near)})` : ''}`;
      },
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${syntax ?? (err as Error).message}`);
  }
  if (duplicates.length > 0) {
    throw new ConfigError(`config file ${path} has a key twice: ${duplicates.join('; ')}; JSON keeps only the last one, silently: remove the other`);
  }
  return raw;
}

/** A relative path in the file is the file's folder's: say so, as that is the usual surprise. */
const relativeNote = (given: string, base: string): string => (isAbsolute(given) ? '' : ` (a relative path is taken from the config file's folder, ${base})`);

/** model.dir names a model package: a folder with its manifest.json, or the manifest itself. */
async function checkModelDir(raw: unknown, base: string, path: string): Promise<void> {
  const given = isRecord(raw) && isRecord(raw['model']) ? raw['model']['dir'] : undefined;
  if (typeof given !== 'string' || given === '') return;
  const dir = resolve(base, given);
  const noPackage = (why: string): ConfigError =>
    new ConfigError(`config file ${path}: model.dir: no model package at ${dir}: ${why}${relativeNote(given, base)}`);
  let info;
  try {
    info = await stat(dir);
  } catch (err) {
    throw noPackage(await fsProblem(dir, err));
  }
  if (info.isDirectory()) {
    try {
      await stat(join(dir, MANIFEST_FILE));
    } catch {
      throw noPackage(`the folder has no ${MANIFEST_FILE}`);
    }
  } else if (!dir.endsWith('.json')) {
    throw noPackage(`it is a file: give the model package's folder`);
  }
}

/** model.thresholds may give pit or maybe alone (README: every key optional): the other is the configured model's own. */
async function completeThresholds(raw: unknown, base: string, app: AppPaths, path: string): Promise<unknown> {
  if (!isRecord(raw) || !isRecord(raw['model']) || !isRecord(raw['model']['thresholds'])) return raw;
  const model = raw['model'];
  const given = model['thresholds'] as Record<string, unknown>;
  if ('pit' in given && 'maybe' in given) return raw;
  const dir = typeof model['dir'] === 'string' && model['dir'] !== '' ? resolve(base, model['dir']) : app.defaultModelDir;
  let fromModel;
  try {
    fromModel = (await readManifest(dir)).manifest.thresholds;
  } catch (err) {
    throw new ConfigError(`config file ${path}: model.thresholds leaves a threshold out, to be the model's, but ${(err as Error).message}`);
  }
  const thresholds = { ...fromModel, ...given };
  if (typeof thresholds.pit === 'number' && typeof thresholds.maybe === 'number' && thresholds.maybe > thresholds.pit) {
    const ours =
      'pit' in given
        ? `pit ${String(thresholds.pit)} is below the model's maybe ${thresholds.maybe}`
        : `maybe ${String(thresholds.maybe)} is above the model's pit ${thresholds.pit}`;
    throw new ConfigError(`config file ${path} is invalid: model.thresholds: ${ours}: give both pit and maybe`);
  }
  return { ...raw, model: { ...model, thresholds } };
}

/** The folders and files the file names that must be there at start, each named by its key. */
async function checkNamedPaths(given: StationConfig, resolved: StationConfig, path: string): Promise<void> {
  const base = dirname(path);
  const checks: { key: string; given: string; at: string; kind: 'folder' | 'file' }[] = [];
  if (given.source.kind === 'replay' && resolved.source.kind === 'replay' && given.source.dir !== undefined && resolved.source.dir !== undefined) {
    checks.push({ key: 'source.dir', given: given.source.dir, at: resolved.source.dir, kind: 'folder' });
  }
  if (given.sensors.model.dir !== undefined && resolved.sensors.model.dir !== undefined) {
    checks.push({ key: 'sensors.model.dir', given: given.sensors.model.dir, at: resolved.sensors.model.dir, kind: 'folder' });
  }
  given.sensors.sources.forEach((s, i) => {
    const r = resolved.sensors.sources[i];
    if (s.kind === 'csv-replay' && r?.kind === 'csv-replay' && s.file !== undefined && r.file !== undefined) {
      checks.push({ key: `sensors.sources[${i}].file`, given: s.file, at: r.file, kind: 'file' });
    }
  });
  for (const c of checks) {
    let problem: string | null = null;
    try {
      const info = await stat(c.at);
      if (c.kind === 'folder' && !info.isDirectory()) problem = 'it is a file, not a folder';
      if (c.kind === 'file' && !info.isFile()) problem = 'it is not a regular file';
    } catch (err) {
      problem = await fsProblem(c.at, err);
    }
    if (problem !== null) throw new ConfigError(`config file ${path}: ${c.key}: no ${c.kind} at ${c.at}: ${problem}${relativeNote(c.given, base)}`);
  }
}

/** A program name stays a name (found on PATH); anything with a folder in it is a path. */
const resolveProgram = (base: string, p: string): string => (/[\\/]/.test(p) ? resolve(base, p) : p);

/** The config with every path absolute, and the replay folder defaulted to the bundled demo frames. */
export function resolvePaths(config: StationConfig, base: string, app: AppPaths): StationConfig {
  const source = ((): SourceConfig => {
    const s = config.source;
    switch (s.kind) {
      case 'replay':
        if (s.files !== undefined) return { ...s, files: s.files.map((f) => resolve(base, f)) };
        return { ...s, dir: s.dir !== undefined ? resolve(base, s.dir) : app.defaultReplayDir };
      case 'hot-folder': {
        const dir = resolve(base, s.dir);
        return { ...s, dir, processedDir: s.processedDir !== undefined ? resolve(base, s.processedDir) : join(dir, 'processed') };
      }
      case 'ffmpeg':
        return s.ffmpegPath !== undefined ? { ...s, ffmpegPath: resolveProgram(base, s.ffmpegPath) } : s;
      case 'mjpeg':
        return s;
    }
  })();
  const sources = config.sensors.sources.map((s) => {
    switch (s.kind) {
      case 'csv-replay':
        return { ...s, file: s.file !== undefined ? resolve(base, s.file) : app.defaultSensorRecording };
      case 'serial':
        return s.path !== undefined ? { ...s, path: resolveDevice(base, s.path) } : s;
      case 'modbus':
        return { ...s, path: resolveDevice(base, s.path) };
      case 'simulated':
        return s;
    }
  });
  const sensorModelDir = config.sensors.model.dir !== undefined ? resolve(base, config.sensors.model.dir) : app.defaultSensorModelDir;
  const importRoots = config.model.importRoots?.map((r) => resolve(base, r)) ?? [...defaultImportRoots(process.platform), app.bundledModelsDir];
  const model = { ...config.model, importRoots };
  return { ...config, model, source, sensors: { ...config.sensors, sources, model: { dir: sensorModelDir } } };
}

/** COM3 and /dev/ttyUSB0 are names, not paths to resolve; a relative path (a pty link in a test folder) is. */
const resolveDevice = (base: string, p: string): string => (/^(COM\d+|\/|\\\\)/i.test(p) ? p : resolve(base, p));
