/**
 * Any input ffmpeg reads (V4L2 and DirectShow cameras, RTSP, files): ffmpeg
 * decodes it and writes JPEG frames to a pipe, which are cut apart here — or,
 * with frames "raw", scales each frame to the model's input and writes its
 * pixels, so that the line decides without a JPEG encode or decode on the way
 * (raw-frames.ts; the geometry is read from the model at each start). When
 * ffmpeg exits (camera unplugged, stream ended, crash) it is started again,
 * waiting longer after each failure (capped); the camera is marked down
 * meanwhile, with the last thing ffmpeg said.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import type { FfmpegSourceConfig } from '../../shared/source-config';
import { canEncodeJpeg } from '../preprocess/turbo-encoder';
import { Backoff, BaseFrameSource } from './frame-source';
import { JpegSplitter } from './jpeg-splitter';
import { RawFrameCutter, rawFrame, scaleFilter, type RawGeometry } from './raw-frames';

const STOP_GRACE_MS = 2000;

/**
 * The ffmpeg shipped in npm (@ffmpeg-installer/ffmpeg) for this platform. In the packaged desktop app its path
 * points into app.asar, which spawn() cannot read: electron-builder.yml unpacks it beside, in app.asar.unpacked.
 */
export function bundledFfmpegPath(): string {
  return ffmpegInstaller.path.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
}

/** ffmpeg's arguments: JPEG frames, or (a geometry given) raw RGB frames at the model's input. */
export function ffmpegArgs(config: FfmpegSourceConfig, raw: RawGeometry | null = null): string[] {
  const output = raw ? ['-vf', scaleFilter(raw), '-pix_fmt', 'rgb24', '-f', 'rawvideo'] : ['-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', String(config.quality)];
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    ...config.input,
    '-an',
    ...(config.fps !== undefined ? ['-r', String(config.fps)] : []),
    ...output,
    'pipe:1',
  ];
}

/** The frames one ffmpeg run delivers: raw at a geometry, or JPEG (and why not raw, when raw was asked for). */
type FramePlan = { readonly raw: RawGeometry; readonly why?: undefined } | { readonly raw: null; readonly why: string | null };

export class FfmpegSource extends BaseFrameSource {
  readonly kind = 'ffmpeg';
  private child: ChildProcess | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly backoff: Backoff;
  private readonly binary: string;

  private plan: FramePlan = { raw: null, why: null };

  /** `geometry`: the model's input, read at each start of ffmpeg (null while there is none); used with frames "raw". */
  constructor(
    private readonly config: FfmpegSourceConfig,
    private readonly geometry: () => RawGeometry | null = () => null,
  ) {
    super();
    this.backoff = new Backoff(config.reconnectMinMs, config.reconnectMaxMs);
    this.binary = config.ffmpegPath ?? bundledFfmpegPath();
  }

  get description(): string {
    const { raw, why } = this.plan;
    const frames = raw ? ` → raw ${raw.width}×${raw.height} frames` : why ? ` → JPEG frames (not raw: ${why})` : '';
    return `ffmpeg ${this.config.input.join(' ')}${frames}`;
  }

  /** Raw frames where asked for and possible: a model geometry to scale to, and a JPEG encoder for the pictures people see. */
  private framePlan(): FramePlan {
    if (this.config.frames !== 'raw') return { raw: null, why: null };
    if (!canEncodeJpeg()) return { raw: null, why: 'libturbojpeg is not available to make the pictures kept and shown' };
    const raw = this.geometry();
    return raw ? { raw } : { raw: null, why: 'no model input to scale to yet' };
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
    this.plan = this.framePlan();
    const { raw } = this.plan;
    const child = spawn(this.binary, ffmpegArgs(this.config, raw), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let said = '';
    const cutter = raw
      ? new RawFrameCutter(raw.width * raw.height * 3, (pixels) => {
          this.backoff.reset();
          this.deliver(rawFrame(raw.width, raw.height, pixels), origin);
        })
      : new JpegSplitter(
          (jpeg) => {
            this.backoff.reset();
            this.deliver(jpeg, origin);
          },
          // A frame over the limit is an item all the same: rejected, not skipped.
          (reason) => this.deliverUnreadable(origin, reason),
          this.config.maxFrameBytes,
        );
    child.stdout!.on('data', (chunk: Buffer) => cutter.push(chunk));
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
