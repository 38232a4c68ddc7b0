/**
 * Loads a model package: a manifest.json and the ONNX file it names (by
 * default model.onnx beside it). The manifest is validated, the labels
 * resolved and the model's sha256 checked before anything uses it, so a
 * swapped or truncated file is refused with a clear message.
 *
 * A package is its folder: the manifest is taken where it really is (symlinks
 * resolved) and the model and labels files it names must resolve, symlinks
 * included, inside that folder, or the package is refused before they are
 * read (issue 11, item 7: a decoy file's lines became labels, and the sha256
 * message showed part of any file's hash).
 */
import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ModelManifestSchema, type ImageModelManifest, type ModelManifest, type TabularModelManifest } from '../../shared/manifest';
import { describeZodError } from '../../shared/zod-errors';
import { isWithin } from './path-within';

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

/** Where the package's manifest really is (symlinks resolved); its folder is the package. */
export async function resolveManifestPath(folderOrManifest: string): Promise<string> {
  const path = await manifestPathOf(folderOrManifest);
  try {
    return await realpath(path);
  } catch (err) {
    throw new ModelPackageError(`cannot read model manifest ${path}: ${code(err)}`);
  }
}

export async function readManifest(folderOrManifest: string): Promise<{ manifest: ModelManifest; manifestPath: string }> {
  const manifestPath = await resolveManifestPath(folderOrManifest);
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

/**
 * The real path of a file the manifest names, checked to be inside the package folder (`dir`, a real
 * path) before anything reads it: first as written (`../x`, an absolute path), then with symlinks resolved.
 */
async function packageFile(
  dir: string,
  manifestPath: string,
  field: 'modelFile' | 'labelsFile',
  name: string,
  unreadable: (path: string, err: unknown) => string,
): Promise<string> {
  const outside = (): ModelPackageError =>
    new ModelPackageError(`${field} "${name}" of ${manifestPath} leads outside its package folder ${dir}: a package's files must be inside its folder`);
  const path = resolve(dir, name);
  if (!isWithin(dir, path)) throw outside();
  let real: string;
  try {
    real = await realpath(path);
  } catch (err) {
    throw new ModelPackageError(unreadable(path, err));
  }
  if (!isWithin(dir, real)) throw outside();
  return real;
}

async function resolveLabels(manifest: ModelManifest, dir: string, manifestPath: string): Promise<string[]> {
  if (manifest.labels) return manifest.labels;
  const unreadable = (path: string, err: unknown): string => `cannot read the labels file ${path} named by ${manifestPath}: ${code(err)}`;
  const file = await packageFile(dir, manifestPath, 'labelsFile', manifest.labelsFile!, unreadable);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ModelPackageError(unreadable(file, err));
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
  const unreadable = (path: string, err: unknown): string => `cannot read model file ${path}: ${code(err)}`;
  const modelPath = await packageFile(dir, manifestPath, 'modelFile', manifest.modelFile, unreadable);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(modelPath);
  } catch (err) {
    throw new ModelPackageError(unreadable(modelPath, err));
  }
  const sha256 = sha256Hex(bytes);
  // The file is inside the package (checked above), so the hash shown is of the package's own file, never another's.
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
