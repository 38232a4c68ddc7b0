/**
 * Replays a folder of images at a set rate, in name order, looping if asked:
 * the demo default, and a way to re-run a recorded shift.
 */
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { BaseFrameSource } from './frame-source';

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
  readonly limit?: number | undefined;
}

export class ReplaySource extends BaseFrameSource {
  readonly kind = 'replay';
  private timer: NodeJS.Timeout | null = null;
  private delivered = 0;

  private constructor(
    private readonly files: readonly ReplayFile[],
    private readonly options: ReplayOptions,
  ) {
    super();
  }

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

  protected begin(): void {
    const periodMs = 1000 / this.options.fps;
    const startedAt = performance.now();
    const tick = (): void => {
      if (!this.active) return;
      const { limit, loop } = this.options;
      if ((limit !== undefined && this.delivered >= limit) || (!loop && this.delivered >= this.files.length)) {
        this.timer = null;
        return this.finish();
      }
      const file = this.files[this.delivered % this.files.length]!;
      this.delivered++;
      this.deliver(file.data, `replay:${file.name}`);
      // Schedule against the start time so the rate does not drift with timer lateness.
      const due = startedAt + this.delivered * periodMs;
      this.timer = setTimeout(tick, Math.max(0, due - performance.now()));
    };
    this.timer = setTimeout(tick, 0);
  }

  protected async end(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
