/**
 * `npm run teach`, `npm run calibrate` and `npm run evaluate` as a technician runs them, on real castings:
 * each ends with one JSON line, says what it did in words before it, and refuses what it cannot vouch for.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CASTING_MODEL_DIR, castingSubset } from '../helpers/castings';
import { ROOT } from '../helpers/paths';
import { useTempDirs } from '../helpers/temp-dir';

function cli(name: 'teach' | 'calibrate' | 'evaluate', ...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', `${name}.ts`), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const lines = run.stdout.trim().split('\n');
  let last: Record<string, unknown> | null = null;
  try {
    last = JSON.parse(lines.at(-1) ?? '') as Record<string, unknown>;
  } catch {
    // Asserted below where a JSON line is expected.
  }
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, last };
}

describe('teach, calibrate and evaluate from the command line', () => {
  const tempDir = useTempDirs();

  it('teaches a labelled folder, calibrates it on the held-out pictures, and evaluates it at given thresholds', () => {
    const data = castingSubset(tempDir(), 120, 9);
    const out = join(tempDir(), 'model');
    const taught = cli(
      'teach',
      '--data',
      data,
      '--reject-label',
      'def_front',
      '--out',
      out,
      '--name',
      'castings-cli',
      '--target',
      '0.9',
      '--confidence',
      '0.9',
      '--max-false-reject',
      '0.1',
    );
    expect(taught.code, taught.stderr).toBe(0);
    expect(taught.stdout).toMatch(/taught castings-cli .* into /);
    expect(taught.stdout).toMatch(/held-out \(\d+\): accuracy [\d.]+ %, def_front recall/);
    expect(taught.stdout).toMatch(/confusion \(rows: true, columns: taught\) def_front \/ ok_front/);
    expect(taught.stdout).toMatch(/teaching took \d+ s \(features \d+ s, fit \d+ s\)/);
    expect(taught.stderr).toMatch(/looking at each picture through the backbone: 240 of 240/);
    expect(taught.last).toMatchObject({ name: 'castings-cli', pictures: 240 });
    expect(taught.last!['threshold_reject']).toEqual(expect.any(Number));

    // The model was taught on this folder: calibrate takes only the pictures held out from teaching.
    const calibrated = cli(
      'calibrate',
      '--model',
      out,
      '--data',
      data,
      '--target',
      '0.9',
      '--confidence',
      '0.9',
      '--max-false-reject',
      '0.1',
      '--write',
      '--config',
      writeCpuConfig(tempDir()),
    );
    expect(calibrated.code, calibrated.stderr).toBe(0);
    expect(calibrated.stderr).toMatch(/held out from teaching .*: the model was taught on this folder/);
    expect(calibrated.stdout).toMatch(/proposed: reject ≥ [\d.]+, divert ≥ [\d.]+/);
    expect(calibrated.stdout).toMatch(/defects missed +[\d.]+ per 1,000 \(at most [\d.]+;/);
    const json = calibrated.last!;
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining(['threshold_reject', 'threshold_divert', 'recall_lower_bound', 'false_reject_upper_bound', 'n_defect', 'n_good']),
    );
    expect(json['recall_lower_bound'] as number).toBeGreaterThanOrEqual(0.9);
    expect((json['n_defect'] as number) + (json['n_good'] as number)).toBe(taught.last!['held_out']);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { thresholds: { pit: number }; calibration: { by: string } };
    expect(manifest.thresholds.pit).toBe(json['threshold_reject']);
    expect(manifest.calibration.by).toBe('npm run calibrate');

    const evaluated = cli('evaluate', '--model', out, '--data', data, '--split', 'all', '--thresholds', '0.9,0.4');
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(evaluated.last).toMatchObject({ n: 240, n_defect: 120, threshold_reject: 0.9, threshold_divert: 0.4, unscored: 0 });
    for (const key of ['recall', 'accuracy', 'false_reject_rate', 'divert_rate']) expect(evaluated.last![key]).toEqual(expect.any(Number));
    // Without --thresholds, the stored calibration.
    const stored = cli('evaluate', '--model', out, '--data', data);
    expect(stored.last!['threshold_reject']).toBe(json['threshold_reject']);
    expect(stored.stdout).toMatch(/the model's calibration of /);
  }, 240_000);

  it('refuses to vouch for 95 % recall on fewer than 59 defects, saying how many are needed, and exits 1', () => {
    const data = castingSubset(tempDir(), 40, 13);
    const run = cli('calibrate', '--model', CASTING_MODEL_DIR, '--data', data);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/refused: 40 defect pictures cannot show a recall of 0.95 with 95 % confidence: at least 59 are needed/);
    expect(run.last).toMatchObject({ threshold_reject: null, threshold_divert: null, n_defect: 40, n_good: 40 });
  }, 120_000);

  it('exits 2 with the reason and the usage for arguments it cannot use', () => {
    const data = castingSubset(tempDir(), 5, 50);
    expect(cli('teach', '--data', data, '--out', tempDir())).toMatchObject({ code: 2, stderr: expect.stringMatching(/--reject-label is required/) });
    expect(cli('calibrate', '--model', join(ROOT, 'models', 'demo-cherry'), '--data', data)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/has no folder "cherry_pit" \(the model's reject label\); its folders: def_front, ok_front/),
    });
    expect(cli('evaluate', '--model', CASTING_MODEL_DIR, '--data', data, '--thresholds', '0.4,0.9')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--thresholds must be REJECT,DIVERT/),
    });
    expect(cli('calibrate', '--model', join(ROOT, 'models', 'demo-cherry'), '--data', data, '--target', '1.5')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--target must be a number between 0 and 1/),
    });
  }, 120_000);
});

function writeCpuConfig(dir: string): string {
  const file = join(dir, 'station.json');
  // Only the inference part is read: the line's settings, here on the CPU.
  writeFileSync(file, JSON.stringify({ inference: { providers: ['cpu'], intraOpThreads: 1 } }));
  return file;
}
