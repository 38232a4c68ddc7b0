/** `npm run classify` as a technician runs it, on a real model from ../shared/data. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';
import { stageRealModel } from '../helpers/real-models';
import { useTempDirs } from '../helpers/temp-dir';

const PHOTOS = join(ROOT, '..', 'shared', 'data', 'images', 'photos');

function classify(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'classify.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('npm run classify', () => {
  const tempDir = useTempDirs();

  it('prints one JSON line per image with the top-5 labels and scores, and exits 1 when any image failed, after printing the rest', () => {
    const run = classify(
      '--model',
      join(stageRealModel('squeezenet-caffe-mean', tempDir()), 'manifest.json'),
      join(PHOTOS, 'pelican.jpeg'),
      join(PHOTOS, 'kitten_224.png'),
      join(PHOTOS, 'missing.jpg'),
    );
    // A batch job must notice that one image of three was not classified.
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/model squeezenet-caffe-mean 1\.0-fp16 on cpu/);
    expect(run.stderr).toMatch(/1 of 3 image\(s\) could not be classified/);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; top?: { index: number; label: string; p: number }[]; error?: string });
    expect(lines).toHaveLength(3);
    expect(lines[0]!.top).toHaveLength(5);
    expect(lines[0]!.top![0]).toMatchObject({ index: 144, label: 'n02051845 pelican' });
    expect(lines[1]!.top![0]!.label).toMatch(/tabby/);
    expect(lines[0]!.top!.map((t) => t.p)).toEqual([...lines[0]!.top!.map((t) => t.p)].sort((a, b) => b - a));
    expect(lines[2]).toEqual({ file: join(PHOTOS, 'missing.jpg'), error: 'cannot read the file: ENOENT' });
  });

  it('accepts a model folder, and refuses a missing model with exit code 2', () => {
    const ok = classify('--model', 'models/demo-cherry', '--top', '2', join(ROOT, 'resources', 'demo', 'frames', '00000.jpg'));
    // Every image classified: exit 0, and nothing said about failures.
    expect(ok.code).toBe(0);
    expect(ok.stderr).not.toMatch(/could not be classified/);
    expect((JSON.parse(ok.stdout) as { top: unknown[] }).top).toHaveLength(2);
    const bad = classify('--model', 'models/nowhere', 'x.jpg');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/cannot read model manifest .*models\/nowhere\/manifest\.json: ENOENT/);
    expect(classify('x.jpg').stderr).toMatch(/--model is required/);
  });
});
