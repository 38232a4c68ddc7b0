/**
 * Reads and validates the station's config file, and resolves every path in
 * it (relative to the file) and every default (relative to the app's root).
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { StationConfigSchema, type StationConfig } from '../../shared/config';
import { describeZodError } from '../../shared/zod-errors';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface ResolvedConfig {
  readonly config: StationConfig;
  readonly modelDir: string;
  readonly replayDir: string;
  /** The file it came from, or null for the embedded default. */
  readonly file: string | null;
}

/** Where the bundled model and demo data live. */
export interface AppPaths {
  readonly defaultModelDir: string;
  readonly defaultReplayDir: string;
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
  const config = parsed.data;
  const base = file !== undefined ? dirname(resolve(file)) : process.cwd();
  return {
    config,
    file: file !== undefined ? resolve(file) : null,
    modelDir: config.model.dir !== undefined ? resolve(base, config.model.dir) : app.defaultModelDir,
    replayDir: config.source.dir !== undefined ? resolve(base, config.source.dir) : app.defaultReplayDir,
  };
}
