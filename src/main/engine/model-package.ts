/**
 * Loads a model package: a folder holding model.onnx and manifest.json.
 * The manifest is validated and the model's sha256 checked before anything
 * uses it, so a swapped or truncated file is refused with a clear message.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelManifestSchema, type ModelManifest } from '../../shared/manifest';
import { describeZodError } from '../../shared/zod-errors';

export interface ModelPackage {
  readonly dir: string;
  readonly modelPath: string;
  readonly manifest: ModelManifest;
  readonly bytes: Uint8Array;
  /** Index of the reject label in the model's output. */
  readonly rejectIndex: number;
}

export class ModelPackageError extends Error {
  override readonly name = 'ModelPackageError';
}

export const MODEL_FILE = 'model.onnx';
export const MANIFEST_FILE = 'manifest.json';

export async function readManifest(dir: string): Promise<ModelManifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ModelPackageError(`cannot read model manifest ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelPackageError(`model manifest ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = ModelManifestSchema.safeParse(json);
  if (!parsed.success) throw new ModelPackageError(`model manifest ${path} is invalid: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

export async function loadModelPackage(dir: string): Promise<ModelPackage> {
  const manifest = await readManifest(dir);
  const modelPath = join(dir, MODEL_FILE);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(modelPath);
  } catch (err) {
    throw new ModelPackageError(`cannot read model file ${modelPath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== manifest.sha256) {
    throw new ModelPackageError(
      `model file ${modelPath} does not match its manifest (sha256 ${sha256.slice(0, 12)}…, manifest says ${manifest.sha256.slice(0, 12)}…): the file was changed, truncated or swapped`,
    );
  }
  return { dir, modelPath, manifest, bytes, rejectIndex: manifest.labels.indexOf(manifest.rejectLabel) };
}
