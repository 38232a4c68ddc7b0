/**
 * Which pictures of a labelled folder calibration and evaluation use (the
 * commands and the station's Calibrate). A model taught on this very folder has seen most of it: its scores
 * there are too good to certify anything, so `auto` takes only the pictures
 * teaching held out (the same name rule, labelled/labelled-folder.ts); on any
 * other folder, every picture.
 */
import { realpath } from 'node:fs/promises';
import type { ImageModelPackage } from '../model-package';
import { readLabelledFolder, type LabelledSet } from './labelled-folder';

/** The folder or the split asked for cannot be used, in words a technician acts on. */
export class LabelledPicturesError extends Error {
  override readonly name = 'LabelledPicturesError';
}

export interface LabelledPictureRef {
  readonly name: string;
  readonly path: string;
  /** The picture's label, by name: the model's rejectLabel is the defect. */
  readonly labelName: string;
}

export const SPLITS = ['auto', 'all', 'held-out'] as const;
export type Split = (typeof SPLITS)[number];

export interface ChosenPictures {
  readonly set: LabelledSet;
  readonly pictures: readonly LabelledPictureRef[];
  /** In words, for the output and the stored calibration. */
  readonly split: string;
}

/** What a taught model's provenance says of the folder it was taught on (teach/teach-model.ts). */
interface TaughtOn {
  readonly fingerprint?: unknown;
  readonly dir?: unknown;
  readonly heldOutShare?: unknown;
}

/**
 * `auto` takes only the pictures held out from teaching when the model was taught on this folder: the same
 * fingerprint, or the same folder since grown or changed — pictures it was fitted on must never certify it. The
 * share is the one it was taught with.
 */
export async function choosePictures(
  pkg: ImageModelPackage,
  dataDir: string,
  split: string | undefined,
  /** The folder holding the defects when it is not named after the model's reject label (the labelled captures' "defective"). */
  defectFolder?: string,
): Promise<ChosenPictures> {
  if (split !== undefined && !(SPLITS as readonly string[]).includes(split))
    throw new LabelledPicturesError(`--split must be auto, all or held-out, not "${split}"`);
  const taughtOn = (pkg.manifest.provenance?.['data'] ?? {}) as TaughtOn;
  const heldOutShare = typeof taughtOn.heldOutShare === 'number' && taughtOn.heldOutShare > 0 && taughtOn.heldOutShare < 1 ? taughtOn.heldOutShare : 0.2;
  let set: LabelledSet;
  try {
    set = await readLabelledFolder(dataDir, heldOutShare);
  } catch (err) {
    throw new LabelledPicturesError((err as Error).message);
  }
  const rejectLabel = pkg.manifest.rejectLabel;
  if (rejectLabel === undefined)
    throw new LabelledPicturesError(`the model ${pkg.manifest.name} names no rejectLabel: it cannot decide, so it cannot be calibrated or evaluated`);
  const defects = defectFolder ?? rejectLabel;
  if (!set.labels.includes(defects))
    throw new LabelledPicturesError(`${dataDir} has no folder "${defects}" (the model's reject label); its folders: ${set.labels.join(', ')}`);
  const labelName = (label: string): string => (label === defects ? rejectLabel : label === rejectLabel ? `${label} (not the defects' folder)` : label);
  const sameFolder = taughtOn.fingerprint === set.fingerprint || (typeof taughtOn.dir === 'string' && (await sameRealPath(taughtOn.dir, dataDir)));
  const heldOnly = split === 'held-out' || ((split ?? 'auto') === 'auto' && sameFolder);
  const pictures = set.pictures.filter((p) => !heldOnly || p.heldOut).map((p) => ({ name: p.name, path: p.path, labelName: labelName(set.labels[p.label]!) }));
  const words = heldOnly
    ? `the ${pictures.length} pictures held out from teaching (${Math.round(heldOutShare * 100)} %, by name)${sameFolder ? ': the model was taught on this folder' : ''}`
    : `all ${pictures.length} pictures`;
  return { set, pictures, split: words };
}

async function sameRealPath(a: string, b: string): Promise<boolean> {
  const [ra, rb] = await Promise.all([realpath(a).catch(() => null), realpath(b).catch(() => null)]);
  return ra !== null && ra === rb;
}
