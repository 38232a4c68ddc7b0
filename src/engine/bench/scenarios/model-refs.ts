/**
 * A plan's model references made into packages: the model running now, a
 * registry model, one that ships with the app (models/<name>), or one of the
 * studied networks' shapes generated in code. An unknown or unusable one is
 * refused with a sentence, and its cases fail; the rest of the plan runs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchModelRef } from '../../../shared/bench';
import { isImagePackage, loadModelPackage, type ImageModelPackage } from '../../model-package';
import { SHAPED_MODELS, shapedModelPackage, type ShapedModelName } from '../shaped-models';

export interface ModelSources {
  /** The app's models folder. */
  readonly bundledDir: string;
  readonly active?: () => ImageModelPackage;
  readonly registry?: (id: number) => Promise<ImageModelPackage>;
}

export class BenchModelError extends Error {
  override readonly name = 'BenchModelError';
}

export function modelResolver(sources: ModelSources): (ref: BenchModelRef) => Promise<ImageModelPackage> {
  return async (ref) => {
    if (ref === 'active') {
      if (!sources.active) throw new BenchModelError('no model is running here: choose a bundled or registry model');
      return sources.active();
    }
    const [kind, name] = ref.split(':') as [string, string];
    if (kind === 'shaped') {
      if (!(SHAPED_MODELS as readonly string[]).includes(name)) throw new BenchModelError(`there is no shaped model ${name}`);
      return shapedModelPackage(name as ShapedModelName);
    }
    if (kind === 'registry') {
      if (!sources.registry) throw new BenchModelError('there is no model registry here');
      return sources.registry(Number(name));
    }
    const dir = join(sources.bundledDir, name);
    if (!existsSync(dir)) throw new BenchModelError(`no model named ${name} ships with LineSight`);
    const pkg = await loadModelPackage(dir);
    if (!isImagePackage(pkg)) throw new BenchModelError(`${name} is a ${pkg.manifest.task} model: the benchmark runs image classifiers`);
    return pkg;
  };
}
