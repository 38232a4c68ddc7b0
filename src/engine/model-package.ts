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
 *
 * Every file is sized before it is read: a model file over model.maxFileBytes,
 * a manifest or labels file over 1 MiB, or anything that is not a regular file
 * (a FIFO, a device) is refused from its stat, so a multi-GB file on a USB
 * stick never reaches memory. The model file is read and hashed in 1 MiB
 * pieces across event-loop turns, once per load: its sha256 is then
 * manifest.sha256, which later steps use instead of hashing it again.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_MODEL_MAX_FILE_BYTES } from '../shared/config';
import { ModelManifestSchema, type ImageModelManifest, type ModelManifest, type TabularModelManifest } from '../shared/manifest';
import { describeZodError } from '../shared/zod-errors';
import { isWithin } from './path-within';

interface PackageBase<M extends ModelManifest> {
  /** The folder of the manifest. */
  readonly dir: string;
  readonly manifestPath: string;
  readonly modelPath: string;
  readonly manifest: M;
  /** The class labels, from the manifest or its labels file. */
  readonly labels: readonly string[];
  /** The model file; its sha256 is manifest.sha256 (checked when it was read): use that rather than hashing again. */
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

/** A manifest or a labels file is at most this long, whatever model.maxFileBytes says. */
export const MAX_TEXT_FILE_BYTES = 1024 * 1024;
/** Read and hashed in pieces of this size (a few ms of hashing each here), so a large file never holds the event loop for long. */
const READ_PIECE_BYTES = 1024 * 1024;

export interface PackageReadOptions {
  /** model.maxFileBytes: a larger model file is refused before it is read. Default 1 GiB. */
  readonly maxFileBytes?: number;
}

/** Hashes in one go, on the calling thread: for bytes already in memory and small (the CLI's, the tests'). */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const code = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? String(err);

const size = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB (${bytes} bytes)`;

/** What a file is to the package, for messages, and the most it may hold (with the setting that says so, if any). */
interface FileLimit {
  readonly what: string;
  readonly maxBytes: number;
  readonly limit: string;
}

/** Thrown where the file could not be opened or read at all (the caller words that); not for refusals. */
class Unreadable extends Error {
  constructor(readonly reason: unknown) {
    super(code(reason));
  }
}

/**
 * Reads a whole regular file of at most `limit.maxBytes`, sized first (stat) and refused before a byte
 * is read when it is larger or not a regular file; read in pieces, each hashed as it comes when `hash`.
 * A file that changes size while it is read is refused too: what was hashed is what was read.
 */
async function readCapped(path: string, limit: FileLimit, hash: boolean): Promise<{ bytes: Buffer; sha256: string | null }> {
  const refuse = (why: string): ModelPackageError => new ModelPackageError(`${limit.what} ${path} ${why}: refused before reading it`);
  const check = (info: { isFile(): boolean; size: number }): void => {
    if (!info.isFile()) throw refuse('is not a regular file');
    if (info.size > limit.maxBytes) throw refuse(`is ${size(info.size)}, more than ${limit.limit}`);
  };
  try {
    check(await stat(path));
  } catch (err) {
    throw err instanceof ModelPackageError ? err : new Unreadable(err);
  }
  let handle;
  try {
    // Non-blocking: a FIFO swapped in after the stat would otherwise hold a thread until someone writes to it.
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw new Unreadable(err);
  }
  try {
    const info = await handle.stat();
    check(info);
    // Not from the shared pool: the bytes may be transferred to a worker whole.
    const bytes = Buffer.allocUnsafeSlow(info.size);
    const hasher = hash ? createHash('sha256') : null;
    let at = 0;
    while (at < info.size) {
      const { bytesRead } = await handle.read(bytes, at, Math.min(READ_PIECE_BYTES, info.size - at), at);
      if (bytesRead === 0) break;
      hasher?.update(bytes.subarray(at, at + bytesRead));
      at += bytesRead;
    }
    const more = at === info.size ? (await handle.read(Buffer.alloc(1), 0, 1, at)).bytesRead : 0;
    if (at !== info.size || more > 0) throw new ModelPackageError(`${limit.what} ${path} changed while it was read: refused`);
    return { bytes, sha256: hasher ? hasher.digest('hex') : null };
  } catch (err) {
    throw err instanceof ModelPackageError ? err : new Unreadable(err);
  } finally {
    await handle.close();
  }
}

/** A manifest or labels file (at most MAX_TEXT_FILE_BYTES) as text; `what` names it in messages. */
export async function readPackageText(path: string, what: string): Promise<string> {
  const { bytes } = await readCapped(
    path,
    { what, maxBytes: MAX_TEXT_FILE_BYTES, limit: `the ${MAX_TEXT_FILE_BYTES} bytes (1 MiB) a ${what} may have` },
    false,
  );
  return bytes.toString('utf8');
}

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
    text = await readPackageText(manifestPath, 'model manifest');
  } catch (err) {
    if (err instanceof Unreadable) throw new ModelPackageError(`cannot read model manifest ${manifestPath}: ${code(err.reason)}`);
    throw err;
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
    text = await readPackageText(file, 'labels file');
  } catch (err) {
    if (err instanceof Unreadable) throw new ModelPackageError(unreadable(file, err.reason));
    throw err;
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

export async function loadModelPackage(folderOrManifest: string, opts: PackageReadOptions = {}): Promise<ModelPackage> {
  const { manifest, manifestPath } = await readManifest(folderOrManifest);
  const dir = dirname(manifestPath);
  const labels = await resolveLabels(manifest, dir, manifestPath);
  const unreadable = (path: string, err: unknown): string => `cannot read model file ${path}: ${code(err)}`;
  const modelPath = await packageFile(dir, manifestPath, 'modelFile', manifest.modelFile, unreadable);
  const maxBytes = opts.maxFileBytes ?? DEFAULT_MODEL_MAX_FILE_BYTES;
  let read: { bytes: Buffer; sha256: string | null };
  try {
    read = await readCapped(modelPath, { what: 'model file', maxBytes, limit: `model.maxFileBytes (${maxBytes} bytes)` }, true);
  } catch (err) {
    if (err instanceof Unreadable) throw new ModelPackageError(unreadable(modelPath, err.reason));
    throw err;
  }
  const { bytes } = read;
  const sha256 = read.sha256!;
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
export async function loadImagePackage(folderOrManifest: string, opts: PackageReadOptions = {}): Promise<ImageModelPackage> {
  const pkg = await loadModelPackage(folderOrManifest, opts);
  if (!isImagePackage(pkg)) throw new ModelPackageError(`${pkg.manifestPath} describes a ${pkg.manifest.task} model, not an image classifier`);
  return pkg;
}
