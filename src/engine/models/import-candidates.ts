/**
 * Model packages a technician can import without typing a path: every
 * manifest.json found a few folders deep under the import roots (a USB
 * stick's mount point, the bundled models). Only the manifests are read
 * here, each sized first (at most 1 MiB: a huge manifest.json on a stick is
 * listed as unreadable, never read); the ONNX file is checked by the import itself.
 * A package is compared with the registry by name, version and the sha256 its
 * manifest gives: a different file under a registered name and version is said
 * to be one, never "in the registry" (issue 12).
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelManifestSchema } from '../../shared/manifest';
import { modelUse, type ImportCandidate, type ImportCandidates } from '../../shared/models';
import { describeZodError } from '../../shared/zod-errors';
import { MANIFEST_FILE, readPackageText } from '../model-package';

/** How deep under a root a package folder may be: /media/<user>/<stick>/<folder>/manifest.json. */
const MAX_DEPTH = 4;
const MAX_FOLDERS = 2000;

/** Where removable media appear on each platform. */
export function defaultImportRoots(platform: NodeJS.Platform): string[] {
  if (platform === 'win32') return 'DEFGHIJKLMNOPQRSTUVWXYZ'.split('').map((d) => `${d}:\\`);
  if (platform === 'darwin') return ['/Volumes'];
  return ['/media', '/run/media', '/mnt'];
}

/** The sha256 the registry's model of that name and version was shipped with (its sourceSha256), or null when there is none. */
export type RegisteredHash = (name: string, version: string) => string | null;

export async function findImportCandidates(roots: readonly string[], registered: RegisteredHash): Promise<ImportCandidates> {
  const present = roots.filter((r) => existsSync(r));
  const candidates: ImportCandidate[] = [];
  const unreadable: { path: string; problem: string }[] = [];
  let visited = 0;

  const visit = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH || visited++ > MAX_FOLDERS) return;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return; // unreadable folders (permissions, a stick pulled out) are passed over
    }
    if (entries.some((e) => e.isFile() && e.name === MANIFEST_FILE)) {
      const path = join(dir, MANIFEST_FILE);
      try {
        const parsed = ModelManifestSchema.safeParse(JSON.parse(await readPackageText(path, 'model manifest')));
        if (!parsed.success) unreadable.push({ path, problem: describeZodError(parsed.error) });
        else {
          const { name, version, task, sha256 } = parsed.data;
          const known = registered(name, version);
          const registry = known === null ? 'absent' : known === sha256 ? 'same' : 'different';
          candidates.push({ path: dir, name, version, task, sha256, registry, use: modelUse(parsed.data) });
        }
      } catch (err) {
        unreadable.push({ path, problem: (err as Error).message });
      }
      return;
    }
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.')) await visit(join(dir, e.name), depth + 1);
  };

  for (const root of present) await visit(root, 0);
  candidates.sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version, undefined, { numeric: true }));
  return { roots: present, candidates, unreadable };
}
