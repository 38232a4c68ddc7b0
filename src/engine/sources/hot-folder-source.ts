/**
 * A folder that a smart camera or an FTP server writes images into. A file
 * is taken only once it is completely written (its size has stopped changing
 * for settleMs: chokidar's awaitWriteFinish), then kept, moved to processed/
 * or deleted. A folder that disappears (a network share, a USB stick) marks
 * the camera down; when it comes back, watching starts again.
 */
import { constants, existsSync } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import pLimit from 'p-limit';
import type { HotFolderSourceConfig } from '../../shared/source-config';
import { BaseFrameSource } from './frame-source';

/** How often the folder's presence is checked. */
const PRESENCE_CHECK_MS = 250;
/**
 * Files read at once. A backlog of files settling together (a camera or an FTP server catching up) would
 * otherwise hold as many frame buffers as there are files: 500 files of 19 MB are 9.5 GB (issue 11).
 */
const READS_AT_ONCE = 2;

export class HotFolderSource extends BaseFrameSource {
  readonly kind = 'hot-folder';
  private watcher: FSWatcher | null = null;
  private presenceTimer: NodeJS.Timeout | null = null;
  private readonly extensions: ReadonlySet<string>;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly reads = pLimit(READS_AT_ONCE);
  /** With afterRead "keep", what was taken already (watching again after the folder came back sees it all again). */
  private readonly taken = new Set<string>();

  constructor(private readonly config: HotFolderSourceConfig & { readonly processedDir: string }) {
    super();
    this.extensions = new Set(config.extensions.map((e) => e.toLowerCase()));
  }

  get description(): string {
    return `images written into ${this.config.dir} (then ${this.config.afterRead === 'move' ? `moved to ${this.config.processedDir}` : this.config.afterRead === 'delete' ? 'deleted' : 'kept'})`;
  }

  protected begin(): void {
    this.checkPresence();
    this.presenceTimer = setInterval(() => this.checkPresence(), PRESENCE_CHECK_MS);
  }

  protected async end(): Promise<void> {
    if (this.presenceTimer) clearInterval(this.presenceTimer);
    this.presenceTimer = null;
    await this.closeWatcher();
    await Promise.allSettled([...this.inFlight]);
  }

  private checkPresence(): void {
    if (!this.active) return;
    const present = existsSync(this.config.dir);
    if (present && !this.watcher) this.openWatcher();
    else if (!present && this.watcher) {
      this.down(`folder ${this.config.dir} is gone`);
      void this.closeWatcher();
    } else if (!present && this.state === 'starting') this.down(`folder ${this.config.dir} does not exist`);
  }

  private openWatcher(): void {
    const processed = this.config.processedDir;
    const watcher = watch(this.config.dir, {
      depth: 0,
      ignoreInitial: false,
      // The files already there when watching starts are taken too: written while the station was away.
      // Polling a file's size is the costly part of watching: twice per settle time is enough.
      awaitWriteFinish: { stabilityThreshold: this.config.settleMs, pollInterval: Math.max(20, Math.min(200, this.config.settleMs / 2)) },
      ignored: (path) => path === processed || !relative(processed, path).startsWith('..'),
    });
    watcher.on('add', (path) => this.track(this.reads(() => this.take(path))));
    watcher.on('error', (err) => this.down(`watching ${this.config.dir} failed: ${(err as Error).message}`));
    watcher.on('ready', () => this.up());
    this.watcher = watcher;
  }

  private async closeWatcher(): Promise<void> {
    const w = this.watcher;
    this.watcher = null;
    await w?.close();
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    // Whatever goes wrong with one file is that file's refusal, never an unhandled rejection (it would end the station).
    void work.catch((err: unknown) => this.reject(`a file failed: ${String(err)}`)).finally(() => this.inFlight.delete(work));
  }

  private async take(path: string): Promise<void> {
    if (!this.active || !this.extensions.has(extname(path).toLowerCase())) return;
    if (this.config.afterRead === 'keep') {
      if (this.taken.has(path)) return;
      this.taken.add(path);
    }
    // An item whose file is empty, too large or unreadable is still an item: it is rejected, never skipped.
    const origin = `hot-folder:${basename(path)}`;
    const read = await this.readItem(path);
    if (typeof read === 'string') this.deliverUnreadable(origin, read);
    else this.deliver(read, origin);
    try {
      if (this.config.afterRead === 'delete') await unlink(path);
      else if (this.config.afterRead === 'move') await this.moveToProcessed(path);
    } catch (err) {
      this.reject(`cannot ${this.config.afterRead} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }

  /**
   * The file's bytes, or why they cannot be had. One open: what is checked (a regular file, its size) is
   * what is read, and never more than maxFrameBytes + 1 bytes of it, whatever replaced it meanwhile. Opened
   * without blocking, so a pipe dropped into the folder cannot hold the read for ever.
   */
  private async readItem(path: string): Promise<Buffer | string> {
    const max = this.config.maxFrameBytes;
    let handle;
    try {
      handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    } catch (err) {
      return `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) return `${path} is not a regular file: not read`;
      if (info.size > max) return `${path} is ${info.size} bytes, over source.maxFrameBytes (${max}): not read`;
      const buffer = Buffer.allocUnsafe(Math.min(info.size, max) + 1);
      let length = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length > max) return `${path} grew past source.maxFrameBytes (${max}) while it was read: not read`;
        if (length === buffer.length) break;
      }
      if (length === 0) return `${path} is empty`;
      return buffer.subarray(0, length);
    } catch (err) {
      return `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  private async moveToProcessed(path: string): Promise<void> {
    await mkdir(this.config.processedDir, { recursive: true });
    let target = join(this.config.processedDir, basename(path));
    // Cameras reuse names (IMG0001.jpg after a reboot): never overwrite what is already there.
    for (let n = 1; existsSync(target); n++) {
      const ext = extname(path);
      target = join(this.config.processedDir, `${basename(path, ext)}.${n}${ext}`);
    }
    await rename(path, target);
  }
}
