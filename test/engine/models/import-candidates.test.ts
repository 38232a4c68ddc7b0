/** Model packages found on a USB stick (folders below the import roots), and manifests that cannot be read. */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultImportRoots, findImportCandidates } from '../../../src/main/engine/models/import-candidates';
import { DEMO_MODEL_DIR } from '../../helpers/paths';
import { useTempDirs } from '../../helpers/temp-dir';

describe('import candidates', () => {
  const tempDir = useTempDirs();

  it('lists every package a few folders down, marks those already imported, and says why others cannot be read', async () => {
    const stick = tempDir();
    const nested = join(stick, 'usb0', 'models', 'demo-cherry-1.0.1');
    cpSync(DEMO_MODEL_DIR, nested, { recursive: true });
    const v2 = join(stick, 'usb0', 'models', 'demo-cherry-2.0.0');
    cpSync(DEMO_MODEL_DIR, v2, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(v2, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(v2, 'manifest.json'), JSON.stringify({ ...manifest, version: '2.0.0' }));
    mkdirSync(join(stick, 'broken'));
    writeFileSync(join(stick, 'broken', 'manifest.json'), '{"name": "x"');
    mkdirSync(join(stick, 'wrong'));
    writeFileSync(join(stick, 'wrong', 'manifest.json'), JSON.stringify({ ...manifest, task: 'regression' }));

    const found = await findImportCandidates([stick, join(stick, 'not-mounted')], (name, version) => name === 'demo-cherry' && version === '1.0.1');
    expect(found.roots).toEqual([stick]);
    expect(found.candidates).toEqual([
      { path: nested, name: 'demo-cherry', version: '1.0.1', task: 'image-classification', inRegistry: true },
      { path: v2, name: 'demo-cherry', version: '2.0.0', task: 'image-classification', inRegistry: false },
    ]);
    expect(found.unreadable.map((u) => u.path).sort()).toEqual([join(stick, 'broken', 'manifest.json'), join(stick, 'wrong', 'manifest.json')]);
    expect(found.unreadable.find((u) => u.path.includes('wrong'))?.problem).toMatch(/task/);
  });

  it('knows where each platform mounts removable media', () => {
    expect(defaultImportRoots('linux')).toEqual(['/media', '/run/media', '/mnt']);
    expect(defaultImportRoots('darwin')).toEqual(['/Volumes']);
    expect(defaultImportRoots('win32')).toContain('E:\\');
  });
});
