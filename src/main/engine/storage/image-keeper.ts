/**
 * Decides which frames' JPEGs are kept beside the log (every reject and
 * maybe, one clean frame in N) and writes them, asynchronously, under
 * images/<day>/ in the data dir. The row records the path; retention
 * (image-retention.ts) removes them later, never before the row is uploaded.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Decision } from '../../../shared/decision';
import type { StorageConfig } from '../../../shared/storage-config';
import { IMAGES_DIR } from './image-retention';

export interface KeptImage {
  readonly path: string;
  readonly bytes: number;
}

export class ImageKeeper {
  private cleanSeen = 0;
  private readonly madeDirs = new Set<string>();

  constructor(
    private readonly dataDir: string,
    private readonly stationId: string,
    private readonly config: StorageConfig['images'],
    private readonly onError: (message: string) => void,
  ) {}

  /** Keeps the image when the policy says so; returns where it goes (relative to the data dir). */
  keep(frameId: number, capturedAt: number, decision: Decision, failSafe: boolean, jpeg: Uint8Array): KeptImage | null {
    const wanted =
      failSafe || (decision === 'pit' && this.config.rejects) || (decision === 'maybe' && this.config.maybes) || (decision === 'clean' && this.sampleClean());
    if (!wanted || jpeg.length === 0) return null;
    const day = new Date(capturedAt).toISOString().slice(0, 10);
    const path = join(IMAGES_DIR, day, `${this.stationId}-${capturedAt}-${frameId}.jpg`);
    void this.write(join(this.dataDir, IMAGES_DIR, day), join(this.dataDir, path), jpeg);
    return { path, bytes: jpeg.length };
  }

  private sampleClean(): boolean {
    if (this.config.cleanSampleEvery === 0) return false;
    return this.cleanSeen++ % this.config.cleanSampleEvery === 0;
  }

  private async write(dir: string, file: string, jpeg: Uint8Array): Promise<void> {
    try {
      if (!this.madeDirs.has(dir)) {
        await mkdir(dir, { recursive: true });
        this.madeDirs.add(dir);
      }
      await writeFile(file, jpeg);
    } catch (err) {
      this.onError(`cannot keep image ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
}
