/**
 * A folder that a smart camera or an FTP server writes images into. A file
 * is taken only once it is completely written (its size has stopped changing
 * for settleMs: chokidar's awaitWriteFinish), then kept, moved to processed/
 * or deleted. A folder that disappears (a network share, a USB stick) marks
 * the camera down; when it comes back, watching starts again.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { HotFolderSourceConfig } from '../../../shared/source-config';
import { BaseFrameSource } from './frame-source';

/** How often the folder's presence is checked. */
const PRESENCE_CHECK_MS = 250;

export class HotFolderSource extends BaseFrameSource {
  readonly kind = 'hot-folder';
  private watcher: FSWatcher | null = null;
  private presenceTimer: NodeJS.Timeout | null = null;
  private readonly extensions: ReadonlySet<string>;
  private readonly inFlight = new Set<Promise<void>>();
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
    watcher.on('add', (path) => this.track(this.take(path)));
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
    void work.finally(() => this.inFlight.delete(work));
  }

  private async take(path: string): Promise<void> {
    if (!this.active || !this.extensions.has(extname(path).toLowerCase())) return;
    if (this.config.afterRead === 'keep') {
      if (this.taken.has(path)) return;
      this.taken.add(path);
    }
    // An item whose file is empty, too large or unreadable is still an item: it is rejected, never skipped.
    const origin = `hot-folder:${basename(path)}`;
    const code = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? String(err);
    try {
      const info = await stat(path);
      const size = info.size;
      // A pipe or a device would block the read for ever.
      if (!info.isFile()) this.deliverUnreadable(origin, `${path} is not a regular file: not read`);
      else if (size === 0) this.deliverUnreadable(origin, `${path} is empty`);
      else if (size > this.config.maxFrameBytes)
        this.deliverUnreadable(origin, `${path} is ${size} bytes, over source.maxFrameBytes (${this.config.maxFrameBytes}): not read`);
      else {
        const data = await readFile(path);
        if (data.length === 0) this.deliverUnreadable(origin, `${path} is empty`);
        else this.deliver(data, origin);
      }
    } catch (err) {
      this.deliverUnreadable(origin, `cannot read ${path}: ${code(err)}`);
    }
    try {
      if (this.config.afterRead === 'delete') await unlink(path);
      else if (this.config.afterRead === 'move') await this.moveToProcessed(path);
    } catch (err) {
      this.reject(`cannot ${this.config.afterRead} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
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
