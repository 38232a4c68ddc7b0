/**
 * The real models of ../shared/data as model packages. Their manifests live in
 * test/fixtures/models/NAME and name files in ../shared/data; a package's
 * files must be inside its folder (issue 11, item 7), and the shared data is
 * never copied into the project, so each test stages the package in a temp
 * folder: the manifest with its model and labels files beside it.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ROOT } from './paths';

export const REAL_MODEL_FIXTURES = join(ROOT, 'test', 'fixtures', 'models');

/** Copies fixture NAME's manifest and the files it names into `into`; returns `into`. */
export function stageRealModel(fixture: string, into: string): string {
  const from = join(REAL_MODEL_FIXTURES, fixture);
  const manifest = JSON.parse(readFileSync(join(from, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  for (const field of ['modelFile', 'labelsFile'] as const) {
    const name = manifest[field];
    if (typeof name !== 'string') continue;
    copyFileSync(resolve(from, name), join(into, basename(name)));
    manifest[field] = basename(name);
  }
  writeFileSync(join(into, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return into;
}
