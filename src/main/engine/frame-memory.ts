/**
 * What the live view needs of the last moments, kept in memory: the latest
 * inspections, the JPEGs of the latest frames (the current item), and the
 * latest rejects with their frames (the operator's strip of rejects), which
 * must outlive the many clean frames that follow them.
 */
import type { Inspection } from '../../shared/inspection';

export interface FrameMemoryLimits {
  readonly inspections: number;
  readonly images: number;
  readonly rejects: number;
}

const DEFAULT_LIMITS: FrameMemoryLimits = { inspections: 500, images: 64, rejects: 24 };

export class FrameMemory {
  private readonly inspections: Inspection[] = [];
  private readonly images = new Map<number, Uint8Array>();
  private readonly rejects: { inspection: Inspection; jpeg: Uint8Array }[] = [];

  constructor(private readonly limits: FrameMemoryLimits = DEFAULT_LIMITS) {}

  remember(inspection: Inspection, jpeg: Uint8Array): void {
    this.inspections.push(inspection);
    if (this.inspections.length > this.limits.inspections) this.inspections.shift();
    this.images.set(inspection.frameId, jpeg);
    if (this.images.size > this.limits.images) this.images.delete(this.images.keys().next().value!);
    if (inspection.decision === 'pit') {
      this.rejects.push({ inspection, jpeg });
      if (this.rejects.length > this.limits.rejects) this.rejects.shift();
    }
  }

  image(frameId: number): Uint8Array | undefined {
    return this.images.get(frameId) ?? this.rejects.find((r) => r.inspection.frameId === frameId)?.jpeg;
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
