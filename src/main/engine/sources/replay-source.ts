/**
 * Replays a folder of images at a set rate, in name order, looping if asked:
 * the demo default, and a way to re-run a recorded shift.
 */
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Frame, FrameSource, SourceState } from './frame-source';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.tif', '.tiff']);

export class ReplaySourceError extends Error {
  override readonly name = 'ReplaySourceError';
}

interface ReplayFile {
  readonly name: string;
  readonly data: Uint8Array;
}

export interface ReplayOptions {
  readonly dir: string;
  readonly fps: number;
  readonly loop: boolean;
  readonly limit?: number;
  readonly now?: () => number;
}

export class ReplaySource implements FrameSource {
  readonly kind = 'replay';
  private timer: NodeJS.Timeout | null = null;
  private nextId = 1;
  private delivered = 0;
  private _state: SourceState = 'stopped';

  private constructor(
    private readonly files: readonly ReplayFile[],
    private readonly options: ReplayOptions,
  ) {}

  /** Reads the folder's images into memory (a replay set is small; a shift belongs on disk elsewhere). */
  static async open(options: ReplayOptions): Promise<ReplaySource> {
    let names: string[];
    try {
      names = (await readdir(options.dir)).filter((n) => IMAGE_EXTENSIONS.has(extname(n).toLowerCase())).sort();
    } catch (err) {
      throw new ReplaySourceError(`cannot read replay folder ${options.dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    if (names.length === 0) throw new ReplaySourceError(`replay folder ${options.dir} holds no images (.jpg, .png, …)`);
    const files = await Promise.all(names.map(async (name) => ({ name, data: await readFile(join(options.dir, name)) })));
    return new ReplaySource(files, options);
  }

  get description(): string {
    const limit = this.options.limit ? `, ${this.options.limit} frames` : '';
    return `${this.files.length} images from ${this.options.dir} at ${this.options.fps} fps${this.options.loop ? ', looping' : ''}${limit}`;
  }

  get state(): SourceState {
    return this._state;
  }

  start(onFrame: (frame: Frame) => void, onEnd?: () => void): void {
    if (this.timer) return;
    this._state = 'running';
    const periodMs = 1000 / this.options.fps;
    const now = this.options.now ?? Date.now;
    const startedAt = performance.now();
    const tick = (): void => {
      if (this.options.limit !== undefined && this.delivered >= this.options.limit) return this.finish(onEnd);
      const index = this.delivered % this.files.length;
      if (!this.options.loop && this.delivered >= this.files.length) return this.finish(onEnd);
      const file = this.files[index]!;
      onFrame({ id: this.nextId++, capturedAt: now(), data: file.data, origin: `replay:${file.name}` });
      this.delivered++;
      // Schedule against the start time so the rate does not drift with timer lateness.
      const due = startedAt + this.delivered * periodMs;
      this.timer = setTimeout(tick, Math.max(0, due - performance.now()));
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this._state === 'running') this._state = 'stopped';
  }

  private finish(onEnd?: () => void): void {
    this.timer = null;
    this._state = 'finished';
    onEnd?.();
  }
}
