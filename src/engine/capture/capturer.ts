/**
 * Capture with quotas (issue 16): the items worth teaching from are kept as
 * they pass — maybe-band items, shadow disagreements, items decided while a
 * drift alarm stands, and a random sample — each reason under its own
 * hourly quota (capture config), all under one cap, with their scores. A
 * capture's picture is a file of its own under captures/ (retention of the
 * inspection images never takes it), written off the line's thread, a few at
 * a time; what a quota, the cap or a full writer passes over is counted.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CaptureConfig } from '../../shared/config';
import type { CaptureReason } from '../../shared/capture';
import type { Decision } from '../../shared/decision';
import { imageFormatOf } from '../preprocess/image-format';
import type { CaptureStore, NewCapture } from '../storage/capture-store';
import { messageOf } from '../error-message';

export const CAPTURES_DIR = 'captures';
/** Picture writes in flight at once; past it an item is passed over (counted), never queued without bound. */
const MAX_WRITES_IN_FLIGHT = 8;

/** An item as decided, with its picture: what a capture keeps. */
export interface CapturableItem {
  readonly frameId: number;
  readonly capturedAt: number;
  readonly model: { readonly name: string; readonly version: string };
  readonly decision: Decision;
  readonly failSafe: boolean;
  readonly rejectScore: number | null;
  readonly scores: Record<string, number> | null;
  readonly picture: Uint8Array | null;
}

export interface CapturerDeps {
  readonly dataDir: string;
  readonly config: CaptureConfig;
  readonly store: CaptureStore;
  /** Whether a drift alarm stands now. */
  readonly drifting: () => boolean;
  readonly random?: () => number;
  readonly onError: (message: string) => void;
}

export class Capturer {
  private hour = -1;
  private readonly thisHour = new Map<CaptureReason, number>();
  private readonly perTrial = new Map<number, number>();
  private inFlight = 0;
  private inFlightBytes = 0;
  private total: number;
  private totalBytes: number;
  /** Items passed over since start, by reason (a quota, the cap, the writer full, a write failed). */
  readonly passedOver: Record<string, number> = {};

  constructor(private readonly deps: CapturerDeps) {
    this.total = deps.store.count();
    this.totalBytes = deps.store.bytes();
  }

  /** Whether `bytes` more fit in the captures' budget (capture.maxBytes): the disk the log needs is never theirs. */
  fits(bytes: number): boolean {
    return this.totalBytes + this.inFlightBytes + bytes <= this.deps.config.maxBytes;
  }

  /** A live verdict: kept when it is one of the kinds wanted and its quota allows. Never throws, never waits. */
  observe(item: CapturableItem): void {
    if (!this.deps.config.enabled || item.failSafe || item.picture === null) return;
    const reason = this.reasonFor(item);
    if (reason === null) return;
    if (!this.allowed(reason, item.capturedAt)) return;
    this.keep(reason, item);
  }

  /**
   * A shadow disagreement, under the trial's own quota only: every disagreement's frame is kept for review (issue 16),
   * whatever the station keeps by itself, and the quota bounds a trial's share.
   */
  disagreement(item: CapturableItem, trial: NonNullable<NewCapture['trial']>): void {
    if (!this.deps.config.enabled || item.picture === null) return;
    const n = this.perTrial.get(trial.id) ?? 0;
    if (n >= this.deps.config.disagreementsPerTrial) return this.pass('disagreement');
    if (!this.fits(item.picture.length)) return this.pass('disk budget');
    this.perTrial.set(trial.id, n + 1);
    this.keep('disagreement', item, { trial });
  }

  /** An item a person labels: always kept (the cap is for what the station keeps by itself). Resolves with its id. */
  async person(item: CapturableItem & { readonly picture: Uint8Array }, inspectionSeq?: number): Promise<number> {
    const bytes = item.picture.length;
    this.inFlightBytes += bytes;
    try {
      const imagePath = await this.write(item);
      const id = this.deps.store.add({ ...this.rowOf('person', item, imagePath, bytes), ...(inspectionSeq !== undefined ? { inspectionSeq } : {}) });
      this.total++;
      this.totalBytes += bytes;
      return id;
    } finally {
      this.inFlightBytes -= bytes;
    }
  }

  private reasonFor(item: CapturableItem): CaptureReason | null {
    if (item.decision === 'maybe') return 'maybe';
    if (this.deps.drifting()) return 'drift';
    const draw = (this.deps.random ?? Math.random)();
    return draw < this.deps.config.randomShare ? 'random' : null;
  }

  private allowed(reason: CaptureReason, at: number): boolean {
    const hour = Math.floor(at / 3_600_000);
    if (hour !== this.hour) {
      this.hour = hour;
      this.thisHour.clear();
    }
    const quota = { maybe: this.deps.config.maybePerHour, drift: this.deps.config.driftPerHour, random: this.deps.config.randomPerHour }[
      reason as 'maybe' | 'drift' | 'random'
    ];
    const n = this.thisHour.get(reason) ?? 0;
    if (n >= quota || !this.underCap()) {
      this.pass(reason);
      return false;
    }
    this.thisHour.set(reason, n + 1);
    return true;
  }

  private underCap(): boolean {
    return this.total + this.inFlight < this.deps.config.maxCaptures;
  }

  private pass(why: string): void {
    this.passedOver[why] = (this.passedOver[why] ?? 0) + 1;
  }

  private keep(reason: CaptureReason, item: CapturableItem, extra: Partial<NewCapture> = {}): void {
    if (this.inFlight >= MAX_WRITES_IN_FLIGHT) return this.pass('writer busy');
    const bytes = item.picture?.length ?? 0;
    if (!this.fits(bytes)) return this.pass('disk budget');
    this.inFlight++;
    this.inFlightBytes += bytes;
    void this.write(item)
      .then((imagePath) => {
        this.deps.store.add({ ...this.rowOf(reason, item, imagePath, bytes), ...extra });
        this.total++;
        this.totalBytes += bytes;
      })
      .catch((err: unknown) => {
        this.pass('write failed');
        this.deps.onError(`a ${reason} capture of item ${item.frameId} was not kept: ${messageOf(err)}`);
      })
      .finally(() => {
        this.inFlight--;
        this.inFlightBytes -= bytes;
      });
  }

  private rowOf(reason: CaptureReason, item: CapturableItem, imagePath: string, bytes: number): NewCapture {
    return {
      ...{ at: new Date(item.capturedAt), frameId: item.frameId, reason, model: item.model, decision: item.decision },
      ...{ rejectScore: item.rejectScore, scores: item.scores, imagePath, bytes },
    };
  }

  /** The picture under captures/<day>/, named so two stations' exports never collide; relative to the data folder. */
  private async write(item: CapturableItem & { readonly picture: Uint8Array | null }): Promise<string> {
    const picture = item.picture!;
    const ext = imageFormatOf(picture) ?? 'jpg';
    const day = new Date(item.capturedAt).toISOString().slice(0, 10);
    const name = `${item.capturedAt}-${item.frameId}-${Math.random().toString(36).slice(2, 8)}.${ext}`;
    const rel = join(CAPTURES_DIR, day, name);
    await mkdir(join(this.deps.dataDir, CAPTURES_DIR, day), { recursive: true });
    await writeFile(join(this.deps.dataDir, rel), picture, { flag: 'wx' });
    return rel;
  }
}
