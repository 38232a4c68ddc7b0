/**
 * The INT8 variant as a package on disk (manifest.json + model.onnx, as
 * npm run quantize writes one), under the station's data folder, for the
 * registry's normal import to check, trial-load and store. The variant is
 * certified on its own: neither the float model's calibration nor its parity
 * record (check pictures scored by another file) goes with it.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageModelManifest } from '../../shared/manifest';
import { MANIFEST_FILE, MODEL_FILE } from '../model-package';

/** The first version of `base` (the quantiser's <v>-int8) not taken: base, then base.2, base.3, … */
export function freeVariantVersion(base: string, taken: (version: string) => boolean): string {
  if (!taken(base)) return base;
  for (let n = 2; ; n++) if (!taken(`${base}.${n}`)) return `${base}.${n}`;
}

export interface VariantPackage {
  readonly dir: string;
  readonly bytes: Uint8Array;
  /** The quantiser's manifest (its sha256 is of `bytes`). */
  readonly manifest: ImageModelManifest;
  readonly labels: readonly string[];
  readonly version: string;
}

/** Writes the package afresh (what a failed run left there is removed first). */
export async function writeVariantPackage(v: VariantPackage): Promise<void> {
  const { labelsFile: _labelsFile, parity: _parity, calibration: _calibration, ...rest } = v.manifest;
  const manifest = { ...rest, version: v.version, modelFile: MODEL_FILE, labels: [...v.labels] };
  await rm(v.dir, { recursive: true, force: true });
  await mkdir(v.dir, { recursive: true });
  await writeFile(join(v.dir, MODEL_FILE), v.bytes);
  await writeFile(join(v.dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}
