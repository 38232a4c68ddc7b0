/**
 * Which pictures of a labelled folder calibration and evaluation use (the
 * commands and the station's Calibrate). A model taught on this very folder has seen most of it: its scores
 * there are too good to certify anything, so `auto` takes only the pictures
 * teaching held out (the same name rule, labelled/labelled-folder.ts); on any
 * other folder, every picture.
 */
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

interface TaughtOn {
  readonly fingerprint?: unknown;
}

export function choosePictures(pkg: ImageModelPackage, dataDir: string, split: string | undefined, heldOutShare = 0.2): ChosenPictures {
  if (split !== undefined && !(SPLITS as readonly string[]).includes(split))
    throw new LabelledPicturesError(`--split must be auto, all or held-out, not "${split}"`);
  let set: LabelledSet;
  try {
    set = readLabelledFolder(dataDir, heldOutShare);
  } catch (err) {
    throw new LabelledPicturesError((err as Error).message);
  }
  const rejectLabel = pkg.manifest.rejectLabel;
  if (rejectLabel === undefined)
    throw new LabelledPicturesError(`the model ${pkg.manifest.name} names no rejectLabel: it cannot decide, so it cannot be calibrated or evaluated`);
  if (!set.labels.includes(rejectLabel))
    throw new LabelledPicturesError(`${dataDir} has no folder "${rejectLabel}" (the model's reject label); its folders: ${set.labels.join(', ')}`);
  const taughtOn = (pkg.manifest.provenance?.['data'] as TaughtOn | undefined)?.fingerprint;
  const heldOnly = split === 'held-out' || ((split ?? 'auto') === 'auto' && taughtOn === set.fingerprint);
  const pictures = set.pictures.filter((p) => !heldOnly || p.heldOut).map((p) => ({ name: p.name, path: p.path, labelName: set.labels[p.label]! }));
  const words = heldOnly
    ? `the ${pictures.length} pictures held out from teaching (${Math.round(heldOutShare * 100)} %, by name)${taughtOn === set.fingerprint ? ': the model was taught on this folder' : ''}`
    : `all ${pictures.length} pictures`;
  return { set, pictures, split: words };
}
