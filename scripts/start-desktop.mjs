// `npm start`: the desktop (Electron) app. The Electron binary is downloaded
// by electron's install script, which this project does not run (offline
// installs, docs/BACKGROUND.md); where it is missing, say how to get it and point
// to the headless station instead.
//
// The binary is looked up here the way electron's own index.js does (path.txt,
// written by its install script, names it under dist/; ELECTRON_OVERRIDE_DIST_PATH
// wins) rather than by require('electron'), which throws "Electron failed to
// install correctly, please delete node_modules/electron and try installing
// again": advice that is wrong here (deleting and reinstalling changes nothing
// offline) and that came before ours.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The Electron binary's path, or null when it is not installed. */
function electronBinary() {
  let packageDir;
  try {
    packageDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = join(packageDir, 'path.txt');
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  const binary = override ? join(override, name || 'electron') : name ? join(packageDir, 'dist', name) : null;
  return binary && existsSync(binary) ? binary : null;
}

const binary = electronBinary();
if (binary === null) {
  process.stderr.write(`The Electron binary is not installed (npm ci skips its download, so that installs work offline).
  On a machine with internet:   node node_modules/electron/install.js   then   npm start
  Without a screen or offline:  npm run build && npm run station   (the same app in a browser at http://127.0.0.1:5780)
`);
  process.exit(1);
}
// electron-vite's exports map hides its bin; reach it through the package folder.
const electronVite = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
const build = spawnSync(process.execPath, [electronVite, 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const run = spawnSync(binary, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
