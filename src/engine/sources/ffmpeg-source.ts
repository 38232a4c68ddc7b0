/**
 * Any input ffmpeg reads (V4L2 and DirectShow cameras, RTSP, files): ffmpeg
 * decodes it and writes JPEG frames to a pipe, which are cut apart here. When
 * ffmpeg exits (camera unplugged, stream ended, crash) it is started again,
 * waiting longer after each failure (capped); the camera is marked down
 * meanwhile, with the last thing ffmpeg said.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import type { FfmpegSourceConfig } from '../../shared/source-config';
import { Backoff, BaseFrameSource } from './frame-source';
import { JpegSplitter } from './jpeg-splitter';

const STOP_GRACE_MS = 2000;

/**
 * The ffmpeg shipped in npm (@ffmpeg-installer/ffmpeg) for this platform. In the packaged desktop app its path
 * points into app.asar, which spawn() cannot read: electron-builder.yml unpacks it beside, in app.asar.unpacked.
 */
export function bundledFfmpegPath(): string {
  return ffmpegInstaller.path.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
}

export function ffmpegArgs(config: FfmpegSourceConfig): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    ...config.input,
    '-an',
    ...(config.fps !== undefined ? ['-r', String(config.fps)] : []),
    '-f',
    'image2pipe',
    '-c:v',
    'mjpeg',
    '-q:v',
    String(config.quality),
    'pipe:1',
  ];
}

export class FfmpegSource extends BaseFrameSource {
  readonly kind = 'ffmpeg';
  private child: ChildProcess | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly backoff: Backoff;
  private readonly binary: string;

  constructor(private readonly config: FfmpegSourceConfig) {
    super();
    this.backoff = new Backoff(config.reconnectMinMs, config.reconnectMaxMs);
    this.binary = config.ffmpegPath ?? bundledFfmpegPath();
  }

  get description(): string {
    return `ffmpeg ${this.config.input.join(' ')}`;
  }

  protected begin(): void {
    this.launch();
  }

  protected async end(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  private launch(): void {
    if (!this.active) return;
    const origin = `ffmpeg:${this.config.input[this.config.input.length - 1]}`;
    const child = spawn(this.binary, ffmpegArgs(this.config), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let said = '';
    const splitter = new JpegSplitter(
      (jpeg) => {
        this.backoff.reset();
        this.deliver(jpeg, origin);
      },
      // A frame over the limit is an item all the same: rejected, not skipped.
      (reason) => this.deliverUnreadable(origin, reason),
      this.config.maxFrameBytes,
    );
    child.stdout!.on('data', (chunk: Buffer) => splitter.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => {
      said = (said + chunk.toString()).slice(-2000);
    });
    const restart = (reason: string): void => {
      if (this.child !== child) return;
      this.child = null;
      const last = said.trim().split('\n').pop();
      this.down(`${reason}${last ? `: ${last}` : ''}`);
      if (this.active) this.retryTimer = setTimeout(() => this.launch(), this.backoff.delay());
    };
    child.on('error', (err) => restart(`cannot start ${this.binary}: ${err.message}`));
    child.on('exit', (code, signal) => restart(`ffmpeg stopped (${signal ?? `exit code ${code}`})`));
  }
}
