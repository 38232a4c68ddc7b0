/**
 * What the live view needs of the last moments, kept in memory: the latest
 * inspections, the JPEGs of the latest frames (the current item), and the
 * latest rejects with their frames (the operator's strip of rejects), which
 * must outlive the many clean frames that follow them. Bounded in count and
 * in bytes: a camera sending 19 MB frames once held 1.6 GB here (issue 11).
 */
import type { Inspection } from '../shared/inspection';

export interface FrameMemoryLimits {
  readonly inspections: number;
  readonly images: number;
  readonly rejects: number;
  /** Bytes of the latest frames' pictures, all together… */
  readonly imageBytes: number;
  /** …and of the rejects' pictures. */
  readonly rejectBytes: number;
}

const DEFAULT_LIMITS: FrameMemoryLimits = { inspections: 500, images: 64, rejects: 24, imageBytes: 32 * 1024 * 1024, rejectBytes: 32 * 1024 * 1024 };

export class FrameMemory {
  private readonly inspections: Inspection[] = [];
  private readonly images = new Map<number, Uint8Array>();
  private imageBytes = 0;
  /** The rejects, each with its picture when one could be kept (null when it was not a picture or too large). */
  private readonly rejects: { inspection: Inspection; jpeg: Uint8Array | null }[] = [];
  private rejectBytes = 0;

  constructor(private readonly limits: FrameMemoryLimits = DEFAULT_LIMITS) {}

  /** `jpeg` is the item's picture, or null when it has none worth showing (not a picture, unreadable). */
  remember(inspection: Inspection, jpeg: Uint8Array | null): void {
    this.inspections.push(inspection);
    if (this.inspections.length > this.limits.inspections) this.inspections.shift();
    const picture = jpeg !== null && jpeg.length > 0 ? jpeg : null;
    if (picture && picture.length <= this.limits.imageBytes) {
      this.images.set(inspection.frameId, picture);
      this.imageBytes += picture.length;
      while (this.images.size > this.limits.images || this.imageBytes > this.limits.imageBytes) {
        const [oldest, bytes] = this.images.entries().next().value!;
        this.images.delete(oldest);
        this.imageBytes -= bytes.length;
      }
    }
    if (inspection.decision === 'pit') {
      const kept = picture && picture.length <= this.limits.rejectBytes ? picture : null;
      this.rejects.push({ inspection, jpeg: kept });
      this.rejectBytes += kept?.length ?? 0;
      if (this.rejects.length > this.limits.rejects) this.rejectBytes -= this.rejects.shift()!.jpeg?.length ?? 0;
      // Over the bytes, the oldest rejects lose their pictures first; the strip still lists them.
      for (const r of this.rejects) {
        if (this.rejectBytes <= this.limits.rejectBytes) break;
        this.rejectBytes -= r.jpeg?.length ?? 0;
        r.jpeg = null;
      }
    }
  }

  image(frameId: number): Uint8Array | undefined {
    return this.images.get(frameId) ?? this.rejects.find((r) => r.inspection.frameId === frameId)?.jpeg ?? undefined;
  }

  /** The JPEGs of the latest frames, oldest first (the benchmark's frames: the camera's own). */
  latestImages(): Uint8Array[] {
    return [...this.images.values()];
  }

  /** Newest first. */
  recent(limit: number): Inspection[] {
    return this.inspections.slice(-limit).reverse();
  }

  /** Newest first. */
  recentRejects(limit: number): Inspection[] {
    return this.rejects
      .slice(-limit)
      .reverse()
      .map((r) => r.inspection);
  }
}
