/**
 * Imports come only from under model.importRoots (a USB stick's mount point,
 * the bundled models), after resolving symlinks on both sides, so that
 * neither `..` nor a link on the stick can reach the station's own files
 * (issue 11, item 7). The registry's own loads from the data dir are not
 * imports and are not checked here.
 */
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { resolveManifestPath } from '../model-package';
import { isWithin } from '../path-within';

export class ImportRootError extends Error {
  override readonly name = 'ImportRootError';
}

/** The roots that exist, links resolved: what a real path must lie in. */
export async function realRoots(roots: readonly string[]): Promise<string[]> {
  const found = await Promise.all(roots.map((r) => realpath(resolve(r)).catch(() => null)));
  return found.filter((r): r is string => r !== null);
}

/**
 * The real path of the package's manifest when it lies under one of the roots; throws ImportRootError
 * naming the allowed roots otherwise. A path outside every root is refused before anything under it is
 * touched; one inside (as written) is followed through its symlinks and checked again.
 */
export async function manifestUnderImportRoots(source: string, roots: readonly string[]): Promise<string> {
  const refused = (): ImportRootError =>
    new ImportRootError(
      `${source} is not under an import folder: models are imported only from ${roots.length > 0 ? roots.join(', ') : '(none configured)'} (model.importRoots)`,
    );
  const real = await realRoots(roots);
  const asWritten = resolve(source);
  if (!roots.some((r) => isWithin(resolve(r), asWritten)) && !real.some((r) => isWithin(r, asWritten))) throw refused();
  const manifestPath = await resolveManifestPath(asWritten);
  if (!real.some((r) => isWithin(r, manifestPath))) throw refused();
  return manifestPath;
}

/**
 * The real path of a folder (a labelled set to teach or calibrate on) when it lies under one of the roots;
 * throws ImportRootError naming the allowed roots otherwise, before anything under it is read.
 */
export async function folderUnderImportRoots(folder: string, roots: readonly string[], what = 'pictures'): Promise<string> {
  const refused = (): ImportRootError =>
    new ImportRootError(`${folder} is not under an import folder: ${what} are read only from ${roots.length > 0 ? roots.join(', ') : '(none configured)'} (model.importRoots)`);
  const real = await realRoots(roots);
  const asWritten = resolve(folder);
  if (!roots.some((r) => isWithin(resolve(r), asWritten)) && !real.some((r) => isWithin(r, asWritten))) throw refused();
  let resolved: string;
  try {
    resolved = await realpath(asWritten);
  } catch (err) {
    throw new ImportRootError(`cannot read ${folder}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (!real.some((r) => isWithin(r, resolved))) throw refused();
  return resolved;
}
