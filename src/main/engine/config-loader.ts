/**
 * Reads and validates the station's config file, and resolves every path in
 * it (relative to the file) and every default (relative to the app's root).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { StationConfigSchema, type StationConfig } from '../../shared/config';
import type { SourceConfig } from '../../shared/source-config';
import { describeZodError } from '../../shared/zod-errors';
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

export async function loadConfig(file: string | undefined, app: AppPaths): Promise<ResolvedConfig> {
  let raw: unknown = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
    }
  }
  const parsed = StationConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`config file ${file ?? '(default)'} is invalid: ${describeZodError(parsed.error)}`);
  }
  const base = file !== undefined ? dirname(resolve(file)) : process.cwd();
  const config = resolvePaths(parsed.data, base, app);
  return {
    config,
    file: file !== undefined ? resolve(file) : null,
    modelDir: config.model.dir !== undefined ? resolve(base, config.model.dir) : app.defaultModelDir,
  };
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
    }
  });
  const sensorModelDir = config.sensors.model.dir !== undefined ? resolve(base, config.sensors.model.dir) : app.defaultSensorModelDir;
  const importRoots = config.model.importRoots?.map((r) => resolve(base, r)) ?? [...defaultImportRoots(process.platform), app.bundledModelsDir];
  const model = { ...config.model, importRoots };
  return { ...config, model, source, sensors: { ...config.sensors, sources, model: { dir: sensorModelDir } } };
}

/** COM3 and /dev/ttyUSB0 are names, not paths to resolve; a relative path (a pty link in a test folder) is. */
const resolveDevice = (base: string, p: string): string => (/^(COM\d+|\/|\\\\)/i.test(p) ? p : resolve(base, p));
