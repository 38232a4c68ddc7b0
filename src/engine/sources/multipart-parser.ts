/**
 * Splits an MJPEG stream (HTTP multipart/x-mixed-replace, as IP cameras send
 * it) into its parts. Cameras differ: some send Content-Length per part,
 * some do not; some put "--" in the boundary parameter, some do not; lines
 * end in CRLF or LF. A part longer than the limit is refused and the parser
 * looks for the next boundary, so one broken frame never eats the memory.
 *
 * Written here rather than taken from npm: the one MJPEG splitter there
 * (mjpeg-consumer, unmaintained since 2019) needs Content-Length in the same
 * chunk as the image start and copies past its buffer otherwise.
 */

export interface PartSink {
  part(body: Buffer, headers: Readonly<Record<string, string>>): void;
  /** Something refused: a part over the limit (`wasPart`: a frame the camera sent), or bytes that are no part at all. */
  refused(reason: string, wasPart: boolean): void;
}

import { ByteChunks } from './byte-chunks';

const CRLF2 = Buffer.from('\r\n\r\n');
const LF2 = Buffer.from('\n\n');

/** The boundary from a Content-Type header value, or null when there is none. */
export function boundaryOf(contentType: string | undefined): string | null {
  const match = /boundary="?([^";]+)"?/i.exec(contentType ?? '');
  return match ? match[1]!.trim() : null;
}

export class MultipartParser {
  /** Bytes between parts and part headers (small: trimmed as they are read). */
  private buffer: Buffer = Buffer.alloc(0);
  private readonly body = new ByteChunks();
  private readonly delimiter: Buffer;
  private state: 'boundary' | 'headers' | 'body' = 'boundary';
  private headers: Record<string, string> = {};
  private length: number | null = null;

  constructor(
    boundary: string,
    private readonly sink: PartSink,
    private readonly maxPartBytes: number,
  ) {
    // RFC 2046: the delimiter is "--" + boundary; a camera that already put the dashes in the parameter gets them once.
    this.delimiter = Buffer.from(boundary.startsWith('--') ? boundary : `--${boundary}`);
  }

  push(chunk: Buffer): void {
    if (this.state === 'body') {
      if (!this.bodyChunk(chunk)) return;
    } else {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    }
    for (;;) {
      if (this.state === 'boundary' && !this.findBoundary()) return;
      if (this.state === 'headers' && !this.readHeaders()) return;
      if (this.state === 'body') {
        // What followed the headers in the same chunk is the body's start.
        const start = this.buffer;
        this.buffer = Buffer.alloc(0);
        if (!this.bodyChunk(start)) return;
      }
    }
  }

  private findBoundary(): boolean {
    const at = this.buffer.indexOf(this.delimiter);
    if (at < 0) {
      // Keep only what could be the start of a delimiter cut in two.
      this.buffer = this.buffer.subarray(Math.max(0, this.buffer.length - this.delimiter.length));
      return false;
    }
    this.buffer = this.buffer.subarray(at + this.delimiter.length);
    this.state = 'headers';
    return true;
  }

  private readHeaders(): boolean {
    const crlf = this.buffer.indexOf(CRLF2);
    const lf = this.buffer.indexOf(LF2);
    const end = crlf >= 0 && (lf < 0 || crlf < lf) ? { at: crlf, len: 4 } : lf >= 0 ? { at: lf, len: 2 } : null;
    if (!end) {
      if (this.buffer.length > 16 * 1024) this.resync('part headers longer than 16 KiB', false);
      return false;
    }
    this.headers = {};
    for (const line of this.buffer.subarray(0, end.at).toString('latin1').split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon > 0) this.headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const declared = this.headers['content-length'];
    this.length = declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : null;
    this.buffer = this.buffer.subarray(end.at + end.len);
    if (this.length !== null && this.length > this.maxPartBytes)
      return this.resync(`part of ${this.length} bytes is over the ${this.maxPartBytes}-byte limit`, true);
    this.state = 'body';
    return true;
  }

  /**
   * Adds bytes to the body; true when the part is complete (and the bytes after it are back in `buffer`
   * for the next state), false when more are needed.
   */
  private bodyChunk(chunk: Buffer): boolean {
    if (this.length !== null) {
      this.body.add(chunk);
      if (this.body.size < this.length) return false;
      const { body, rest } = this.body.take(this.length);
      this.emit(body);
      this.buffer = rest;
      this.state = 'boundary';
      return true;
    }
    // No length: the body runs to the next delimiter (less the line break before it). Only the new bytes
    // are searched, with the few before them in which a delimiter cut in two could have begun.
    const overlap = this.body.tail(this.delimiter.length - 1);
    const window = overlap.length === 0 ? chunk : Buffer.concat([overlap, chunk]);
    const found = window.indexOf(this.delimiter);
    if (found < 0) {
      this.body.add(chunk);
      if (this.body.size > this.maxPartBytes) {
        this.body.clear();
        return this.resync(`part without Content-Length over the ${this.maxPartBytes}-byte limit`, true);
      }
      return false;
    }
    // Where the delimiter starts, counted from the body's first byte.
    const at = this.body.size - overlap.length + found;
    this.body.add(chunk);
    const { body, rest } = this.body.take(at);
    let end = body.length;
    if (end >= 2 && body[end - 2] === 0x0d && body[end - 1] === 0x0a) end -= 2;
    else if (end >= 1 && body[end - 1] === 0x0a) end -= 1;
    if (end > this.maxPartBytes) this.sink.refused(`part without Content-Length over the ${this.maxPartBytes}-byte limit`, true);
    else this.emit(body.subarray(0, end));
    this.buffer = rest;
    this.state = 'boundary';
    return true;
  }

  private emit(body: Buffer): void {
    // A copy: the stream's buffers are reused and the frame outlives them. Once per part.
    this.sink.part(Buffer.from(body), this.headers);
  }

  private resync(reason: string, wasPart: boolean): boolean {
    this.sink.refused(reason, wasPart);
    this.state = 'boundary';
    this.length = null;
    return true;
  }
}
