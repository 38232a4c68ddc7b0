/**
 * Which files of the built UI the station serves: regular files under its
 * folder, and nothing a link leads to. sirv (which serves them) follows
 * symbolic links, so a link dropped into the UI's folder would hand out any
 * file of the PC (issue 11); the folder is walked once at start without
 * following links, and a request for anything else gets the app's page (a
 * route of the single-page app) or 404 (a file that is not one of them).
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** URL paths ("/assets/x.js") of the regular files under root; links, devices and dotfiles are left out. */
export function regularFilesUnder(root: string): ReadonlySet<string> {
  const found = new Set<string>();
  const walk = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir)) {
      if (name.startsWith('.')) continue;
      const abs = join(dir, name);
      const stats = lstatSync(abs);
      if (stats.isDirectory()) walk(abs, `${prefix}/${name}`);
      else if (stats.isFile()) found.add(`${prefix}/${name}`);
    }
  };
  walk(root, '');
  return found;
}

export type StaticRoute = 'file' | 'app' | 'refused';

/**
 * What to do with a request for `pathname` (decoded): serve that file, serve the app's page (a route of the
 * page, which has no file extension), or refuse it.
 */
export function routeStatic(pathname: string, files: ReadonlySet<string>): StaticRoute {
  if (files.has(pathname)) return 'file';
  if (!files.has('/index.html')) return 'refused';
  const last = pathname.slice(pathname.lastIndexOf('/') + 1);
  return last.includes('.') ? 'refused' : 'app';
}
