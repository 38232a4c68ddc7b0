import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelPackage, ModelPackageError } from '../../src/main/engine/model-package';
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
    expect(pkg.manifest.thresholds).toEqual({ pit: 0.75, maybe: 0.5 });
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
});
