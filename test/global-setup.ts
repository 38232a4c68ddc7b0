/**
 * Builds the app once before the tests that run it as a user would (the
 * headless station process, the UI in Chromium), so that `vitest run` never
 * tests a stale out/ folder.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function setup(): void {
  const root = join(import.meta.dirname, '..');
  execFileSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: root, stdio: 'pipe' });
}
