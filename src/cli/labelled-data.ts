/**
 * Which pictures of a labelled folder the calibrate and evaluate commands
 * use. A model taught on this very folder has seen most of it: its scores
 * there are too good to certify anything, so `auto` takes only the pictures
 * teaching held out (the same name rule, teach/labelled-folder.ts); on any
 * other folder, every picture.
 */
import type { ImageModelPackage } from '../engine/model-package';
import { readLabelledFolder, type LabelledSet } from '../engine/teach/labelled-folder';
import type { LabelledPictureRef } from '../engine/calibration/calibrate-model';
import { UsageError } from './cli-runtime';

export type Split = 'auto' | 'all' | 'held-out';

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
  if (split !== undefined && !['auto', 'all', 'held-out'].includes(split)) throw new UsageError(`--split must be auto, all or held-out, not "${split}"`);
  let set: LabelledSet;
  try {
    set = readLabelledFolder(dataDir, heldOutShare);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const rejectLabel = pkg.manifest.rejectLabel;
  if (rejectLabel === undefined)
    throw new UsageError(`the model ${pkg.manifest.name} names no rejectLabel: it cannot decide, so it cannot be calibrated or evaluated`);
  if (!set.labels.includes(rejectLabel))
    throw new UsageError(`${dataDir} has no folder "${rejectLabel}" (the model's reject label); its folders: ${set.labels.join(', ')}`);
  const taughtOn = (pkg.manifest.provenance?.['data'] as TaughtOn | undefined)?.fingerprint;
  const heldOnly = split === 'held-out' || ((split ?? 'auto') === 'auto' && taughtOn === set.fingerprint);
  const pictures = set.pictures.filter((p) => !heldOnly || p.heldOut).map((p) => ({ name: p.name, path: p.path, labelName: set.labels[p.label]! }));
  const words = heldOnly
    ? `the ${pictures.length} pictures held out from teaching (${Math.round(heldOutShare * 100)} %, by name)${taughtOn === set.fingerprint ? ': the model was taught on this folder' : ''}`
    : `all ${pictures.length} pictures`;
  return { set, pictures, split: words };
}
