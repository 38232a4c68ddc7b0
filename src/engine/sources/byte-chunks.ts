/**
 * The bytes of one frame as they arrive from a stream, kept as the chunks
 * they came in and joined once, when the frame is complete. Joining at every
 * chunk copied a 19 MB MJPEG part hundreds of times on the line's thread
 * (issue 11); used by the MJPEG parser and the ffmpeg JPEG splitter.
 */
export class ByteChunks {
  private chunks: Buffer[] = [];
  size = 0;

  add(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** The last `n` bytes (fewer when there are not that many), for a marker cut between two chunks. */
  tail(n: number): Buffer {
    const parts: Buffer[] = [];
    let need = n;
    for (let i = this.chunks.length - 1; i >= 0 && need > 0; i--) {
      const c = this.chunks[i]!;
      parts.unshift(c.length <= need ? c : c.subarray(c.length - need));
      need -= c.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** The first `n` bytes as one buffer (one copy at most), and what came after them; the chunks are emptied. */
  take(n: number): { body: Buffer; rest: Buffer } {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    this.clear();
    return { body: all.subarray(0, n), rest: all.subarray(n) };
  }

  clear(): void {
    this.chunks = [];
    this.size = 0;
  }
}
