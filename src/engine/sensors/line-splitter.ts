/**
 * Bytes from a serial port into lines. The first line after the port opens
 * is thrown away (it starts wherever the device happened to be), a line
 * longer than the cap is junk up to its end, and CR/LF are both accepted.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private skipping: 'first' | 'too-long' | null;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onJunk: (reason: 'partial' | 'too-long') => void,
    firstIsPartial = true,
  ) {
    this.skipping = firstIsPartial ? 'first' : null;
  }

  /**
   * Call after (re)opening the port. `firstIsPartial`: a device that talks all the time (a sensor) was mid-line when
   * the port opened; one that only answers (a sorter confirming a reject) was not, and its first line counts.
   */
  reset(firstIsPartial = true): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.skipping = firstIsPartial ? 'first' : null;
  }

  push(chunk: Buffer): void {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, from);
      if (nl < 0) {
        this.collect(chunk.subarray(from));
        return;
      }
      this.collect(chunk.subarray(from, nl));
      this.endLine();
      from = nl + 1;
    }
  }

  private collect(piece: Buffer): void {
    if (piece.length === 0 || this.skipping) return;
    this.pending.push(piece);
    this.pendingBytes += piece.length;
    if (this.pendingBytes > this.maxLineBytes) {
      this.pending = [];
      this.pendingBytes = 0;
      this.skipping = 'too-long';
    }
  }

  private endLine(): void {
    if (this.skipping) {
      this.onJunk(this.skipping === 'first' ? 'partial' : 'too-long');
      this.skipping = null;
      return;
    }
    const line = Buffer.concat(this.pending, this.pendingBytes).toString('latin1').replace(/\r$/, '');
    this.pending = [];
    this.pendingBytes = 0;
    if (line.trim().length > 0) this.onLine(line);
  }
}
