/**
 * What ships with the app and where it sits under the app's root folder:
 * the bundled demo model, the replayed demo frames, the built UI. Both shells
 * (Electron, headless station) find their defaults here.
 */
import { join } from 'node:path';
import type { AppPaths } from './config-loader';

export interface AppLayout extends AppPaths {
  readonly root: string;
  /** The built renderer (electron-vite's out/renderer). */
  readonly rendererDir: string;
  /** The backbone models are taught on (models/squeezenet-backbone, MIT). */
  readonly defaultBackboneDir: string;
}

/** From source, in the headless station's package: everything under the app's root. */
export function appLayout(root: string): AppLayout {
  return layoutOf(root, join(root, 'models'), join(root, 'resources', 'demo'));
}

/**
 * The packaged desktop app (electron-builder.yml): the app in resources/app.asar, the models and the demo beside it
 * in resources/ (ONNX Runtime and the workers read them by path).
 */
export function packagedAppLayout(appPath: string, resourcesPath: string): AppLayout {
  return layoutOf(appPath, join(resourcesPath, 'models'), join(resourcesPath, 'demo'));
}

function layoutOf(root: string, models: string, demo: string): AppLayout {
  return {
    root,
    defaultModelDir: join(models, 'demo-cherry'),
    defaultReplayDir: join(demo, 'frames'),
    defaultSensorModelDir: join(models, 'demo-sensor'),
    defaultSensorRecording: join(demo, 'sensors.csv'),
    bundledModelsDir: models,
    rendererDir: join(root, 'out', 'renderer'),
    defaultBackboneDir: join(models, 'squeezenet-backbone'),
  };
}
