/**
 * Replays a folder of images at a set rate, in name order, looping if asked:
 * the demo default, and a way to re-run a recorded shift.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
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
  /** A folder, replayed in name order… */
  readonly dir?: string | undefined;
  /** …or these files, in this order. */
  readonly files?: readonly string[] | undefined;
  readonly fps: number;
  readonly loop: boolean;
  readonly limit?: number | undefined;
  /** A file larger than this is refused at open (source.maxFrameBytes). */
  readonly maxFrameBytes?: number | undefined;
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
    const paths = options.files ?? (await ReplaySource.folder(options.dir));
    const files = await Promise.all(
      paths.map(async (path) => {
        try {
          const size = (await stat(path)).size;
          const max = options.maxFrameBytes;
          if (max !== undefined && size > max) throw new ReplaySourceError(`replay image ${path} is ${size} bytes, over source.maxFrameBytes (${max})`);
          return { name: basename(path), data: await readFile(path) };
        } catch (err) {
          if (err instanceof ReplaySourceError) throw err;
          throw new ReplaySourceError(`cannot read replay image ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
        }
      }),
    );
    return new ReplaySource(files, options);
  }

  private static async folder(dir: string | undefined): Promise<string[]> {
    if (dir === undefined) throw new ReplaySourceError('a replay source needs a folder (dir) or a list of files');
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => IMAGE_EXTENSIONS.has(extname(n).toLowerCase())).sort();
    } catch (err) {
      throw new ReplaySourceError(`cannot read replay folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    if (names.length === 0) throw new ReplaySourceError(`replay folder ${dir} holds no images (.jpg, .png, …)`);
    return names.map((n) => join(dir, n));
  }

  get description(): string {
    const limit = this.options.limit ? `, ${this.options.limit} frames` : '';
    return `${this.files.length} images from ${this.options.dir ?? 'a list'} at ${this.options.fps} fps${this.options.loop ? ', looping' : ''}${limit}`;
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
