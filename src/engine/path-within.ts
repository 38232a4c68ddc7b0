/**
 * Whether a path lies inside a folder, for the checks that keep what the
 * station reads under the roots it was given (issue 11, item 7): imports
 * under model.importRoots, a package's files inside its folder. Both sides
 * are compared as given; callers pass real paths (symlinks resolved) so that
 * a link cannot lead out.
 */
import { isAbsolute, relative, sep } from 'node:path';

export function isWithin(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  // '' is the folder itself; another drive (Windows) gives an absolute path back.
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
