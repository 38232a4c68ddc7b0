/**
 * npm run dist:station [-- --out DIR] [--no-build] [--compression xz|gzip] [--level N]
 *
 * Builds the headless station's Debian package offline (station-deb.ts says what goes in).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildStationDeb } from './station-deb';

const { values } = parseArgs({
  options: { out: { type: 'string' }, 'no-build': { type: 'boolean' }, compression: { type: 'string' }, level: { type: 'string' } },
  strict: true,
});
const root = join(import.meta.dirname, '..', '..');
const compression = values.compression ?? 'xz';
if (compression !== 'xz' && compression !== 'gzip') throw new Error('--compression is xz or gzip');
const deb = buildStationDeb({
  root,
  outDir: values.out ?? join(root, 'dist'),
  build: !values['no-build'],
  compression,
  ...(values.level !== undefined ? { level: Number(values.level) } : {}),
});
process.stdout.write(
  `${deb.path}\n  ${(deb.bytes / 1e6).toFixed(1)} MB packed, ${(deb.installedKiB / 1024).toFixed(0)} MiB installed, built in ${deb.seconds.toFixed(0)} s\n`,
);
