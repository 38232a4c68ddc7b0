/**
 * A backbone package (shared/teach.ts): a frozen pretrained network to teach
 * from, read like any model package — its manifest validated, its file inside
 * its folder and matching the manifest's sha256 — before anything is cut
 * from it.
 */
import { readFile, realpath } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BackboneManifestSchema, type BackboneManifest } from '../../shared/teach';
import { describeZodError } from '../../shared/zod-errors';
import { readPackageText, resolveManifestPath, sha256Hex } from '../model-package';
import { isWithin } from '../path-within';

export interface BackbonePackage {
  readonly manifest: BackboneManifest;
  readonly manifestPath: string;
  readonly bytes: Uint8Array;
}

export class BackbonePackageError extends Error {
  override readonly name = 'BackbonePackageError';
}

export async function loadBackbonePackage(folderOrManifest: string): Promise<BackbonePackage> {
  const manifestPath = await resolveManifestPath(folderOrManifest);
  let json: unknown;
  try {
    json = JSON.parse(await readPackageText(manifestPath, 'backbone manifest'));
  } catch (err) {
    throw new BackbonePackageError(`cannot read the backbone manifest ${manifestPath}: ${(err as Error).message}`);
  }
  const parsed = BackboneManifestSchema.safeParse(json);
  if (!parsed.success) throw new BackbonePackageError(`${manifestPath} is not a backbone manifest: ${describeZodError(parsed.error)}`);
  const manifest = parsed.data;
  const dir = dirname(manifestPath);
  let file: string;
  try {
    file = await realpath(resolve(dir, manifest.modelFile));
  } catch (err) {
    throw new BackbonePackageError(`cannot read the backbone's model file ${manifest.modelFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (!isWithin(dir, file)) throw new BackbonePackageError(`the backbone's modelFile "${manifest.modelFile}" leads outside its folder ${dir}`);
  const bytes = new Uint8Array(await readFile(file));
  const sha256 = sha256Hex(bytes);
  if (sha256 !== manifest.sha256) {
    throw new BackbonePackageError(
      `the backbone file ${file} does not match its manifest (sha256 ${sha256.slice(0, 12)}…, manifest says ${manifest.sha256.slice(0, 12)}…)`,
    );
  }
  return { manifest, manifestPath, bytes };
}
