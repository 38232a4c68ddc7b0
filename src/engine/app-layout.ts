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
}

export function appLayout(root: string): AppLayout {
  return {
    root,
    defaultModelDir: join(root, 'models', 'demo-cherry'),
    defaultReplayDir: join(root, 'resources', 'demo', 'frames'),
    defaultSensorModelDir: join(root, 'models', 'demo-sensor'),
    defaultSensorRecording: join(root, 'resources', 'demo', 'sensors.csv'),
    bundledModelsDir: join(root, 'models'),
    rendererDir: join(root, 'out', 'renderer'),
  };
}
