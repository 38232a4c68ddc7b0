// `npm start`: the desktop (Electron) app. The Electron binary is downloaded
// by electron's install script, which this project does not run (offline
// installs, ENGINEERING.md); where it is missing, say how to get it and point
// to the headless station instead.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
let electronBinary;
try {
  electronBinary = require('electron');
} catch (err) {
  electronBinary = null;
  process.stderr.write(`Electron is not usable here: ${String(err.message ?? err).split('\n')[0]}\n`);
}
if (typeof electronBinary !== 'string') {
  process.stderr.write(`
The Electron binary is not installed (npm ci skips its download).
  On a machine with internet:   node node_modules/electron/install.js   then   npm start
  Without a screen or offline:  npm run build && npm run station   (the same app in a browser at http://127.0.0.1:5780)
`);
  process.exit(1);
}
// electron-vite's exports map hides its bin; reach it through the package folder.
const electronVite = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
const build = spawnSync(process.execPath, [electronVite, 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const run = spawnSync(electronBinary, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
