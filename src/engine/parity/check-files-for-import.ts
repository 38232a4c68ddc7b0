/**
 * The check pictures a model takes into the registry (issue 16): the ones its
 * parity record names, read from its package (regular files inside its
 * folder, capped); or, for a package that carries no record, one made at
 * import — its own `check/` pictures, else pictures made here — scored on
 * the CPU through the line's path. Either way the registry stores the files
 * beside the model, and the gate can run them on every load.
 */
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { ModelManifest } from '../../shared/manifest';
import type { InferenceRuntime } from '../inference/session-settings';
import { MAX_PICTURE_BYTES, readPictures } from '../labelled/read-pictures';
import { isImagePackage, type ModelPackage } from '../model-package';
import { checkPicturesFor } from '../models/provider-self-test';
import type { RawImage } from '../preprocess/image-decoder';
import type { WorkerEntry } from '../rpc/worker-entry';
import { CHECK_FOLDER } from './check-pictures-on-disk';
import { recordOnCpu, type CheckPictureSource } from './run-parity';

export interface CheckFile {
  readonly file: string;
  readonly bytes: Uint8Array;
}

const isRaw = (image: Uint8Array | RawImage): image is RawImage => !(image instanceof Uint8Array);

export async function checkFilesForImport(
  pkg: ModelPackage,
  manifest: ModelManifest,
  deps: { readonly runtime: InferenceRuntime; readonly entry: WorkerEntry },
): Promise<{ manifest: ModelManifest; files: CheckFile[] }> {
  // Only a model that can drive the line decides, and only what decides is gated.
  if (!isImagePackage(pkg) || pkg.rejectIndex === null) return { manifest, files: [] };
  if (manifest.parity) {
    const names = manifest.parity.pictures.map((p) => p.file);
    const read = await readPictures(
      names.map((f) => join(pkg.dir, f)),
      { roots: [await realpath(pkg.dir)], maxBytes: MAX_PICTURE_BYTES },
    );
    return {
      manifest,
      files: names.map((file, i) => {
        const got = read[i]!;
        if (got instanceof Error) throw new Error(`its parity record names ${file}, which cannot be read: ${got.message}`);
        return { file, bytes: got };
      }),
    };
  }
  // No record: one is made now, on the CPU, from its own check pictures or pictures made here (kept as PNG).
  const files: CheckFile[] = [];
  const sources: CheckPictureSource[] = [];
  for (const [i, p] of checkPicturesFor(pkg).entries()) {
    const name = `${CHECK_FOLDER}/${String(i + 1).padStart(2, '0')}-${p.name.replace(/^check\//, '').replace(/[^A-Za-z0-9._-]/g, '_')}`;
    const image = p.image;
    const bytes = isRaw(image)
      ? new Uint8Array(
          await sharp(image.pixels, { raw: { width: image.width, height: image.height, channels: image.channels } })
            .png()
            .toBuffer(),
        )
      : image;
    const file = isRaw(image) ? `${name}.png` : name;
    files.push({ file, bytes });
    sources.push({ file, image: bytes });
  }
  const parity = await recordOnCpu(pkg, sources, manifest.thresholds, deps);
  return { manifest: { ...manifest, parity }, files };
}
