/**
 * The check pictures a model takes into the registry (issue 16): the ones its
 * parity record names, read from its package (regular files inside its
 * folder, capped); or, for a package that carries no record, one made at
 * import — its own `check/` pictures, else pictures made here — scored on
 * the CPU through the line's path. Either way the registry stores the files
 * beside the model, and the gate can run them on every load.
 */
import { readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { ModelManifest } from '../../shared/manifest';
import type { InferenceRuntime } from '../inference/session-settings';
import { MAX_PICTURE_BYTES, readPictures } from '../labelled/read-pictures';
import { isImagePackage, type ImageModelPackage, type ModelPackage } from '../model-package';
import { madeCheckPictures } from '../models/provider-self-test';
import type { RawImage } from '../preprocess/image-decoder';
import type { WorkerEntry } from '../rpc/worker-entry';
import { MAX_CHECK_PICTURES, type ParityRecord } from '../../shared/parity';
import { CHECK_FOLDER, checkName } from './check-pictures-on-disk';
import { recordOnCpu, type CheckPictureSource } from './run-parity';

export interface CheckFile {
  readonly file: string;
  readonly bytes: Uint8Array;
}

const PICTURE = /\.(jpe?g|png|webp|bmp|tiff?)$/i;

export async function checkFilesForImport(
  pkg: ModelPackage,
  manifest: ModelManifest,
  deps: { readonly runtime: InferenceRuntime; readonly entry: WorkerEntry },
  /** Pictures to make a record from where the package carries none (the station's labelled captures). */
  given: readonly GivenCheckPicture[] = [],
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
  const made = await makeParityRecord(pkg, manifest.thresholds, deps, given);
  return { manifest: { ...manifest, parity: made.record }, files: made.files };
}

/** A labelled picture offered as a check picture (the station's labelled captures). */
export interface GivenCheckPicture {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly label: string;
}

/**
 * A record made now, on the CPU, for a model that carries none: from `given` pictures (the station's labelled
 * captures: real items of both kinds), else its own check/ pictures — read as pictures from a stick are, regular
 * files inside its folder, capped — else pictures made here (kept as PNG).
 */
export async function makeParityRecord(
  pkg: ImageModelPackage,
  thresholds: ModelManifest['thresholds'],
  deps: { readonly runtime: InferenceRuntime; readonly entry: WorkerEntry },
  given: readonly GivenCheckPicture[] = [],
): Promise<{ record: ParityRecord; files: CheckFile[] }> {
  const files: CheckFile[] = [];
  const sources: CheckPictureSource[] = [];
  for (const [i, p] of given.slice(0, MAX_CHECK_PICTURES).entries()) {
    const file = `${CHECK_FOLDER}/${checkName(i, p.name)}`;
    files.push({ file, bytes: p.bytes });
    sources.push({ file, image: p.bytes, label: p.label });
  }
  if (files.length > 0) return { record: await recordOnCpu(pkg, sources, thresholds, deps), files };
  const folder = join(pkg.dir, CHECK_FOLDER);
  const own = (await readdir(folder).catch(() => [] as string[]))
    .filter((f) => PICTURE.test(f))
    .sort()
    .slice(0, MAX_CHECK_PICTURES);
  const read = await readPictures(
    own.map((f) => join(folder, f)),
    { roots: [await realpath(pkg.dir)], maxBytes: MAX_PICTURE_BYTES },
  );
  own.forEach((f, i) => {
    const bytes = read[i]!;
    if (bytes instanceof Error) return;
    const file = `${CHECK_FOLDER}/${checkName(i, f)}`;
    files.push({ file, bytes });
    sources.push({ file, image: bytes });
  });
  if (files.length === 0) {
    for (const [i, p] of madeCheckPictures().entries()) {
      const image = p.image as RawImage;
      const bytes = new Uint8Array(
        await sharp(image.pixels, { raw: { width: image.width, height: image.height, channels: image.channels } })
          .png()
          .toBuffer(),
      );
      const file = `${CHECK_FOLDER}/${checkName(i, `${p.name}.png`)}`;
      files.push({ file, bytes });
      sources.push({ file, image: bytes });
    }
  }
  return { record: await recordOnCpu(pkg, sources, thresholds, deps), files };
}
