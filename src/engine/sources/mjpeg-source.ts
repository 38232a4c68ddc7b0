/**
 * An IP camera's MJPEG stream over HTTP(S). A stream that ends, errs or goes
 * quiet for readTimeoutMs is closed and opened again, waiting longer after
 * each failure (capped); the camera is marked down meanwhile.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { MjpegSourceConfig } from '../../shared/source-config';
import { Backoff, BaseFrameSource } from './frame-source';
import { boundaryOf, MultipartParser } from './multipart-parser';

/** Where the camera is, for logs: the URL without any password. */
function safeUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

export class MjpegSource extends BaseFrameSource {
  readonly kind = 'mjpeg';
  private request: ClientRequest | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly backoff: Backoff;

  constructor(private readonly config: MjpegSourceConfig) {
    super();
    this.backoff = new Backoff(config.reconnectMinMs, config.reconnectMaxMs);
  }

  get description(): string {
    return `MJPEG stream ${safeUrl(this.config.url)}`;
  }

  protected begin(): void {
    this.connect();
  }

  protected async end(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.request?.destroy();
    this.request = null;
  }

  private connect(): void {
    if (!this.active) return;
    const url = new URL(this.config.url);
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: 'GET',
      headers: { accept: 'multipart/x-mixed-replace, image/jpeg' },
    });
    this.request = request;
    let failed = false;
    const fail = (reason: string): void => {
      if (failed || this.request !== request) return;
      failed = true;
      request.destroy();
      this.request = null;
      this.down(reason);
      if (this.active) this.retryTimer = setTimeout(() => this.connect(), this.backoff.delay());
    };
    request.setTimeout(this.config.readTimeoutMs, () => fail(`no data from ${safeUrl(this.config.url)} for ${this.config.readTimeoutMs} ms`));
    request.on('error', (err) => fail(`cannot read ${safeUrl(this.config.url)}: ${err.message}`));
    request.on('response', (res: IncomingMessage) => {
      if (res.statusCode !== 200) {
        res.resume();
        return fail(`${safeUrl(this.config.url)} answered HTTP ${res.statusCode}`);
      }
      const boundary = boundaryOf(res.headers['content-type']);
      if (!boundary) {
        res.resume();
        return fail(`${safeUrl(this.config.url)} is not an MJPEG stream (Content-Type ${res.headers['content-type'] ?? 'missing'})`);
      }
      const parser = new MultipartParser(
        boundary,
        {
          part: (body) => {
            this.backoff.reset();
            if (body.length === 0) this.deliverUnreadable(`mjpeg:${url.host}`, `${safeUrl(this.config.url)} sent an empty frame`);
            else this.deliver(body, `mjpeg:${url.host}`);
          },
          // A frame over the limit is an item all the same: rejected, not skipped. Bytes between frames are not.
          refused: (reason, wasPart) =>
            wasPart
              ? this.deliverUnreadable(`mjpeg:${url.host}`, `${safeUrl(this.config.url)}: ${reason}`)
              : this.reject(`${safeUrl(this.config.url)}: ${reason}`),
        },
        this.config.maxFrameBytes,
      );
      res.on('data', (chunk: Buffer) => parser.push(chunk));
      res.on('end', () => fail(`${safeUrl(this.config.url)} ended the stream`));
      res.on('error', (err) => fail(`stream from ${safeUrl(this.config.url)} broke: ${err.message}`));
    });
    request.end();
  }
}
