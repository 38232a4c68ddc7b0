/**
 * Decides which frames' JPEGs are kept beside the log (every reject and
 * maybe, one clean frame in N) and writes them, asynchronously, under
 * images/<day>/ in the data dir. The row records the path; retention
 * (image-retention.ts) removes them later, never before the row is uploaded.
 *
 * Writes in flight are bounded in bytes and in count (issue 11, review): under
 * the fail-safe every item's image is wanted, and on a slow or hung disk each
 * frame (19 MB from some cameras) would wait in a pending write, holding its
 * bytes and a slot of libuv's threadpool. Past the bound the image is not
 * kept (keep() returns null: the row says no image) and it is counted. A
 * write that fails is counted and told to onNotKept, so that the row does
 * not go on naming a file that is not there (log-worker.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Decision } from '../../shared/decision';
import type { ImageWritesStatus } from '../../shared/status';
import type { StorageConfig } from '../../shared/storage-config';
import { IMAGES_DIR } from './image-retention';

export interface KeptImage {
  readonly path: string;
  readonly bytes: number;
}

/** The filesystem calls the keeper makes: a test swaps them for a slow or hung disk. */
export interface ImageFiles {
  mkdir(dir: string, options: { recursive: true }): Promise<unknown>;
  writeFile(file: string, data: Uint8Array): Promise<void>;
}

export interface ImageKeeperOptions {
  /** Bytes of images being written at once (default 64 MiB). */
  readonly maxInFlightBytes?: number;
  /** Images being written at once (default 16: libuv's threadpool has 4 threads, shared with the rest of the process). */
  readonly maxInFlightWrites?: number;
  /** A write failed: the image is not there, its row must not name it (capturedAt: the row's, ISO 8601). */
  readonly onNotKept?: (image: KeptImage & { readonly capturedAt: string }) => void;
  readonly files?: ImageFiles;
}

export const MAX_IMAGE_BYTES_IN_FLIGHT = 64 * 1024 * 1024;
export const MAX_IMAGE_WRITES_IN_FLIGHT = 16;

/** On a full disk every kept image fails: one message per this long, with the count, rather than one per frame. */
const REPORT_EVERY_MS = 10_000;

export class ImageKeeper {
  private cleanSeen = 0;
  private readonly madeDirs = new Set<string>();
  private lastReportAt = -Infinity;
  private unreported = 0;
  private lastBusyReportAt = -Infinity;
  private busyUnreported = 0;
  private inFlight = 0;
  private inFlightBytes = 0;
  private notKeptBusy = 0;
  private notKeptFailed = 0;
  private readonly files: ImageFiles;
  private readonly maxBytes: number;
  private readonly maxWrites: number;

  constructor(
    private readonly dataDir: string,
    private readonly stationId: string,
    private readonly config: StorageConfig['images'],
    private readonly onError: (message: string) => void,
    private readonly options: ImageKeeperOptions = {},
  ) {
    this.files = options.files ?? { mkdir, writeFile };
    this.maxBytes = options.maxInFlightBytes ?? MAX_IMAGE_BYTES_IN_FLIGHT;
    this.maxWrites = options.maxInFlightWrites ?? MAX_IMAGE_WRITES_IN_FLIGHT;
  }

  /** Keeps the image when the policy says so and the writes in flight leave room; returns where it goes (relative to the data dir). */
  keep(frameId: number, capturedAt: number, decision: Decision, failSafe: boolean, jpeg: Uint8Array): KeptImage | null {
    const wanted =
      failSafe || (decision === 'pit' && this.config.rejects) || (decision === 'maybe' && this.config.maybes) || (decision === 'clean' && this.sampleClean());
    if (!wanted || jpeg.length === 0) return null;
    // One image larger than the whole bound is still written when nothing else is: a bound, not a size limit (source.maxFrameBytes is that).
    if (this.inFlight >= this.maxWrites || (this.inFlight > 0 && this.inFlightBytes + jpeg.length > this.maxBytes)) {
      this.busy();
      return null;
    }
    const at = new Date(capturedAt);
    const day = at.toISOString().slice(0, 10);
    const path = join(IMAGES_DIR, day, `${this.stationId}-${capturedAt}-${frameId}.jpg`);
    const image = { path, bytes: jpeg.length, capturedAt: at.toISOString() };
    this.inFlight++;
    this.inFlightBytes += jpeg.length;
    // write() handles its own failures; the catch is for the unforeseen: an unhandled rejection ends the process (Node 20).
    void this.write(join(this.dataDir, IMAGES_DIR, day), join(this.dataDir, path), jpeg, image)
      .catch(() => undefined)
      .finally(() => {
        this.inFlight--;
        this.inFlightBytes -= jpeg.length;
      });
    return { path, bytes: jpeg.length };
  }

  status(): ImageWritesStatus {
    return { inFlight: this.inFlight, inFlightBytes: this.inFlightBytes, notKeptBusy: this.notKeptBusy, notKeptFailed: this.notKeptFailed };
  }

  private sampleClean(): boolean {
    if (this.config.cleanSampleEvery === 0) return false;
    return this.cleanSeen++ % this.config.cleanSampleEvery === 0;
  }

  private busy(): void {
    this.notKeptBusy++;
    this.busyUnreported++;
    const now = Date.now();
    if (now - this.lastBusyReportAt < REPORT_EVERY_MS) return;
    this.report(
      `images not kept: ${this.inFlight} image write(s) of ${(this.inFlightBytes / 1048576).toFixed(1)} MiB still in flight (the disk is slow or hung); ` +
        `${this.busyUnreported} image(s) not kept since the last report, their rows say no image`,
    );
    this.lastBusyReportAt = now;
    this.busyUnreported = 0;
  }

  private report(message: string): void {
    try {
      this.onError(message);
    } catch {
      // a report that fails must not fail the write's bookkeeping
    }
  }

  private async write(dir: string, file: string, jpeg: Uint8Array, image: KeptImage & { readonly capturedAt: string }): Promise<void> {
    try {
      if (!this.madeDirs.has(dir)) {
        await this.files.mkdir(dir, { recursive: true });
        this.madeDirs.add(dir);
      }
      await this.files.writeFile(file, jpeg);
    } catch (err) {
      this.notKeptFailed++;
      try {
        this.options.onNotKept?.(image);
      } catch {
        // told best effort: a read of the row's image finds no file and says so
      }
      // A folder removed under the station is made again at the next write.
      this.madeDirs.delete(dir);
      this.unreported++;
      const now = Date.now();
      if (now - this.lastReportAt < REPORT_EVERY_MS) return;
      const more = this.unreported > 1 ? ` (${this.unreported} images not kept since the last report)` : '';
      this.report(`cannot keep image ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}${more}`);
      this.lastReportAt = now;
      this.unreported = 0;
    }
  }
}
