import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelPackage, ModelPackageError } from '../../src/engine/model-package';
import { DEMO_MODEL_DIR } from '../helpers/paths';
import { useTempDirs } from '../helpers/temp-dir';

describe('loadModelPackage', () => {
  const tempDir = useTempDirs();
  const copyDemo = (): string => {
    const dir = tempDir();
    cpSync(DEMO_MODEL_DIR, dir, { recursive: true });
    return dir;
  };

  it('loads the bundled demo model with its manifest and checks its hash', async () => {
    const pkg = await loadModelPackage(DEMO_MODEL_DIR);
    expect(pkg.manifest.name).toBe('demo-cherry');
    expect(pkg.manifest.labels).toEqual(['cherry_clean', 'cherry_pit']);
    // Its defaults come from its calibration on the demo line's labelled frames (docs/TEACHING.md).
    const calibration = pkg.manifest.calibration!;
    expect(calibration.data.source).toBe('resources/demo/frames');
    expect(pkg.manifest.thresholds).toEqual({ pit: calibration.thresholds!.reject, maybe: calibration.thresholds!.divert });
    expect(pkg.rejectIndex).toBe(1);
  });

  it('refuses a model file that does not match its manifest (truncated or swapped)', async () => {
    const dir = copyDemo();
    const model = join(dir, 'model.onnx');
    writeFileSync(model, readFileSync(model).subarray(0, 1000));
    await expect(loadModelPackage(dir)).rejects.toThrow(ModelPackageError);
    await expect(loadModelPackage(dir)).rejects.toThrow(/model\.onnx does not match its manifest .*truncated or swapped/);
  });

  it('refuses a missing model file and a missing, broken or invalid manifest, naming the file', async () => {
    const dir = copyDemo();
    writeFileSync(join(dir, 'manifest.json'), '{"schemaVersion": 1,');
    await expect(loadModelPackage(dir)).rejects.toThrow(/manifest\.json is not valid JSON/);
    const manifest = JSON.parse(readFileSync(join(DEMO_MODEL_DIR, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, rejectLabel: 'cherry_stone' }));
    await expect(loadModelPackage(dir)).rejects.toThrow(/manifest\.json is invalid: rejectLabel: rejectLabel must be one of labels/);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, preprocessing: { ...(manifest['preprocessing'] as object), std: [0, 1, 1] } }));
    await expect(loadModelPackage(dir)).rejects.toThrow(/preprocessing\.std/);
    await expect(loadModelPackage(join(dir, 'elsewhere'))).rejects.toThrow(/cannot read model manifest .*elsewhere.*ENOENT/);
  });

  it('takes a package where its manifest really is, and its files only from inside that folder (issue 11, item 7)', async () => {
    const dir = copyDemo();
    const outside = tempDir();
    const manifest = JSON.parse(readFileSync(join(DEMO_MODEL_DIR, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    cpSync(join(DEMO_MODEL_DIR, 'model.onnx'), join(outside, 'model.onnx'));
    writeFileSync(join(outside, 'labels.txt'), 'cherry_clean\ncherry_pit\n');
    const withManifest = (m: Record<string, unknown>): void => writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, ...m }));
    const refused = /leads outside its package folder .*: a package's files must be inside its folder/;
    for (const modelFile of ['../x/model.onnx', join(outside, 'model.onnx')]) {
      withManifest({ modelFile });
      await expect(loadModelPackage(dir), modelFile).rejects.toThrow(refused);
    }
    symlinkSync(join(outside, 'model.onnx'), join(dir, 'linked.onnx'));
    withManifest({ modelFile: 'linked.onnx' });
    await expect(loadModelPackage(dir)).rejects.toThrow(/modelFile "linked\.onnx" of .* leads outside its package folder/);
    symlinkSync(join(outside, 'labels.txt'), join(dir, 'labels.txt'));
    withManifest({ labels: undefined, labelsFile: 'labels.txt' });
    await expect(loadModelPackage(dir)).rejects.toThrow(/labelsFile "labels\.txt" of .* leads outside its package folder/);

    // Inside the folder (a sub-folder, a link that stays inside) is fine; a linked manifest is read where it is.
    mkdirSync(join(dir, 'sub'));
    cpSync(join(DEMO_MODEL_DIR, 'model.onnx'), join(dir, 'sub', 'model.onnx'));
    symlinkSync(join(dir, 'sub', 'model.onnx'), join(dir, 'inside.onnx'));
    withManifest({ modelFile: 'inside.onnx' });
    expect((await loadModelPackage(dir)).modelPath).toBe(join(dir, 'sub', 'model.onnx'));
    const linked = tempDir();
    symlinkSync(join(DEMO_MODEL_DIR, 'manifest.json'), join(linked, 'manifest.json'));
    const pkg = await loadModelPackage(linked);
    expect(pkg.manifestPath).toBe(join(DEMO_MODEL_DIR, 'manifest.json'));
    expect(pkg.modelPath).toBe(join(DEMO_MODEL_DIR, 'model.onnx'));
  });
});
