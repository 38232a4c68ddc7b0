/** Model packages found on a USB stick (folders below the import roots), and manifests that cannot be read. */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultImportRoots, findImportCandidates } from '../../../src/engine/models/import-candidates';
import { DEMO_MODEL_DIR } from '../../helpers/paths';
import { useTempDirs } from '../../helpers/temp-dir';

describe('import candidates', () => {
  const tempDir = useTempDirs();

  it('lists every package a few folders down, compares each with the registry by its hash, says what it can be used for, and why others cannot be read', async () => {
    const stick = tempDir();
    const nested = join(stick, 'usb0', 'models', 'demo-cherry-1.0.1');
    cpSync(DEMO_MODEL_DIR, nested, { recursive: true });
    const v2 = join(stick, 'usb0', 'models', 'demo-cherry-2.0.0');
    cpSync(DEMO_MODEL_DIR, v2, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(v2, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(v2, 'manifest.json'), JSON.stringify({ ...manifest, version: '2.0.0' }));
    // Same name and version as a registered model, another file: never "in the registry" (issue 12).
    const other = join(stick, 'usb0', 'models', 'demo-cherry-3.0.0');
    cpSync(DEMO_MODEL_DIR, other, { recursive: true });
    writeFileSync(join(other, 'manifest.json'), JSON.stringify({ ...manifest, version: '3.0.0', sha256: 'b'.repeat(64) }));
    // A package that cannot go live: no rejectLabel.
    const noReject = join(stick, 'usb0', 'models', 'no-reject');
    cpSync(DEMO_MODEL_DIR, noReject, { recursive: true });
    const { rejectLabel: _rejectLabel, ...withoutReject } = manifest;
    writeFileSync(join(noReject, 'manifest.json'), JSON.stringify({ ...withoutReject, name: 'no-reject' }));
    mkdirSync(join(stick, 'broken'));
    writeFileSync(join(stick, 'broken', 'manifest.json'), '{"name": "x"');
    mkdirSync(join(stick, 'wrong'));
    writeFileSync(join(stick, 'wrong', 'manifest.json'), JSON.stringify({ ...manifest, task: 'regression' }));

    const sha = manifest['sha256'] as string;
    const registry = new Map([
      ['demo-cherry 1.0.1', sha],
      ['demo-cherry 3.0.0', sha],
    ]);
    const found = await findImportCandidates([stick, join(stick, 'not-mounted')], (name, version) => registry.get(`${name} ${version}`) ?? null);
    expect(found.roots).toEqual([stick]);
    const line = { line: true, words: 'can drive the line: items it scores as "cherry_pit" are rejected' };
    expect(found.candidates).toEqual([
      { path: nested, name: 'demo-cherry', version: '1.0.1', task: 'image-classification', sha256: sha, registry: 'same', use: line },
      { path: v2, name: 'demo-cherry', version: '2.0.0', task: 'image-classification', sha256: sha, registry: 'absent', use: line },
      { path: other, name: 'demo-cherry', version: '3.0.0', task: 'image-classification', sha256: 'b'.repeat(64), registry: 'different', use: line },
      {
        path: noReject,
        name: 'no-reject',
        version: '1.0.1',
        task: 'image-classification',
        sha256: sha,
        registry: 'absent',
        use: { line: false, words: 'cannot drive the line: its manifest names no rejectLabel, the class that means reject' },
      },
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
