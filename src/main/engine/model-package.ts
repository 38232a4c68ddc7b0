/**
 * Loads a model package: a manifest.json and the ONNX file it names (by
 * default model.onnx beside it). The manifest is validated, the labels
 * resolved and the model's sha256 checked before anything uses it, so a
 * swapped or truncated file is refused with a clear message.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ModelManifestSchema, type ImageModelManifest, type ModelManifest, type TabularModelManifest } from '../../shared/manifest';
import { describeZodError } from '../../shared/zod-errors';

interface PackageBase<M extends ModelManifest> {
  /** The folder of the manifest. */
  readonly dir: string;
  readonly manifestPath: string;
  readonly modelPath: string;
  readonly manifest: M;
  /** The class labels, from the manifest or its labels file. */
  readonly labels: readonly string[];
  readonly bytes: Uint8Array;
  /** Index of the reject label in the model's output; null when the manifest names none. */
  readonly rejectIndex: number | null;
}

export type ModelPackage = PackageBase<ModelManifest>;
export type ImageModelPackage = PackageBase<ImageModelManifest>;
export type TabularModelPackage = PackageBase<TabularModelManifest>;

export function isImagePackage(pkg: ModelPackage): pkg is ImageModelPackage {
  return pkg.manifest.task === 'image-classification';
}
export function isTabularPackage(pkg: ModelPackage): pkg is TabularModelPackage {
  return pkg.manifest.task === 'tabular-classification';
}

export class ModelPackageError extends Error {
  override readonly name = 'ModelPackageError';
}

export const MODEL_FILE = 'model.onnx';
export const MANIFEST_FILE = 'manifest.json';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const code = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? String(err);

/** A package folder, or the path of a manifest file. */
async function manifestPathOf(folderOrManifest: string): Promise<string> {
  const path = resolve(folderOrManifest);
  try {
    if ((await stat(path)).isDirectory()) return join(path, MANIFEST_FILE);
  } catch {
    // not there: reading the manifest below says so
  }
  return path.endsWith('.json') ? path : join(path, MANIFEST_FILE);
}

export async function readManifest(folderOrManifest: string): Promise<{ manifest: ModelManifest; manifestPath: string }> {
  const manifestPath = await manifestPathOf(folderOrManifest);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (err) {
    throw new ModelPackageError(`cannot read model manifest ${manifestPath}: ${code(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelPackageError(`model manifest ${manifestPath} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = ModelManifestSchema.safeParse(json);
  if (!parsed.success) throw new ModelPackageError(`model manifest ${manifestPath} is invalid: ${describeZodError(parsed.error)}`);
  return { manifest: parsed.data, manifestPath };
}

async function resolveLabels(manifest: ModelManifest, dir: string, manifestPath: string): Promise<string[]> {
  if (manifest.labels) return manifest.labels;
  const file = resolve(dir, manifest.labelsFile!);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ModelPackageError(`cannot read the labels file ${file} named by ${manifestPath}: ${code(err)}`);
  }
  const labels = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (labels.length < 2) throw new ModelPackageError(`labels file ${file} holds ${labels.length} label(s); a classifier needs at least 2`);
  if (manifest.rejectLabel !== undefined && !labels.includes(manifest.rejectLabel)) {
    throw new ModelPackageError(`rejectLabel "${manifest.rejectLabel}" of ${manifestPath} is not in its labels file ${file}`);
  }
  return labels;
}

export async function loadModelPackage(folderOrManifest: string): Promise<ModelPackage> {
  const { manifest, manifestPath } = await readManifest(folderOrManifest);
  const dir = dirname(manifestPath);
  const labels = await resolveLabels(manifest, dir, manifestPath);
  const modelPath = resolve(dir, manifest.modelFile);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(modelPath);
  } catch (err) {
    throw new ModelPackageError(`cannot read model file ${modelPath}: ${code(err)}`);
  }
  const sha256 = sha256Hex(bytes);
  if (sha256 !== manifest.sha256) {
    throw new ModelPackageError(
      `model file ${modelPath} does not match its manifest (sha256 ${sha256.slice(0, 12)}…, manifest says ${manifest.sha256.slice(0, 12)}…): the file was changed, truncated or swapped`,
    );
  }
  const rejectIndex = manifest.rejectLabel === undefined ? null : labels.indexOf(manifest.rejectLabel);
  return { dir, manifestPath, modelPath, manifest, labels, bytes, rejectIndex };
}

/** Loads a package that must be an image classifier (the camera path, evaluation, classify). */
export async function loadImagePackage(folderOrManifest: string): Promise<ImageModelPackage> {
  const pkg = await loadModelPackage(folderOrManifest);
  if (!isImagePackage(pkg)) throw new ModelPackageError(`${pkg.manifestPath} describes a ${pkg.manifest.task} model, not an image classifier`);
  return pkg;
}
