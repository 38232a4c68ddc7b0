/**
 * Back to teaching (issue 16): the captures the station keeps, and labels
 * from people. An operator or a technician marks an item "really good" or
 * "really defective" — on the reject strip (a recent frame still in memory),
 * in History (a logged item whose picture was kept) or among the captures —
 * and the item becomes a labelled capture: its picture copied under
 * captures/, the label on its row, the labelled folder kept in step
 * (capture/labelled-captures.ts), and every labelling in the audit trail
 * under the person's name. The labelled captures export as a folder.
 */
import { join } from 'node:path';
import type { Capture, CaptureFilter, CaptureSummary, ItemLabel, LabelTarget } from '../../shared/capture';
import { type Capturer } from '../capture/capturer';
import { exportLabelled, LABELLED_DIR, placeLabelled, type LabelledExport } from '../capture/labelled-captures';
import { folderUnderImportRoots } from '../models/import-roots';
import type { AuditTrail } from '../storage/audit-trail';
import type { CaptureStore, StoredCapture } from '../storage/capture-store';
import { readFile } from 'node:fs/promises';
import type { SqliteDatabase } from '../storage/database';
import type { EngineSettings } from './engine-settings';
import type { HistoryReads } from './history-reads';
import type { FrameMemory } from '../frame-memory';

export class LabelError extends Error {
  override readonly name = 'LabelError';
}

const FULL = "the captures' pictures fill their share of the disk (capture.maxBytes): labelling more is refused";

export interface CaptureServiceDeps {
  readonly settings: EngineSettings;
  readonly db: SqliteDatabase;
  readonly store: CaptureStore;
  readonly capturer: Capturer;
  readonly audit: AuditTrail;
  readonly memory: FrameMemory;
  readonly history: HistoryReads;
  /** The running model's name (a live frame's inspection carries only its version). */
  readonly modelName: () => string;
}

/** A capture as the UI sees it (the picture's path stays on the station). */
const shown = ({ imagePath: _path, labelledRole: _role, ...c }: StoredCapture): Capture => c;

/** Who labels: the audit trail's name for them, and whether they signed in as a technician. */
export interface Labeller {
  readonly actor: string;
  readonly role: 'operator' | 'technician';
}

export class CaptureService {
  /** Labels one at a time: two people labelling the same item at once must not make two captures of it. */
  private labelling: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: CaptureServiceDeps) {}

  /** The labelled folder Teach and Calibrate may read (beside the import folders). */
  get labelledFolder(): string {
    return join(this.deps.settings.dataDir, LABELLED_DIR);
  }

  list(filter: CaptureFilter, limit: number, beforeId?: number): Capture[] {
    return this.deps.store.list(filter, limit, beforeId).map(shown);
  }

  async image(id: number): Promise<Uint8Array | null> {
    const c = this.deps.store.get(id);
    if (!c) return null;
    try {
      return new Uint8Array(await readFile(join(this.deps.settings.dataDir, c.imagePath)));
    } catch {
      return null;
    }
  }

  summary(): CaptureSummary {
    const { store, db, capturer } = this.deps;
    const labelsBy = db.prepare(`SELECT actor, COUNT(*) AS count FROM audit WHERE subject = 'label' GROUP BY actor ORDER BY count DESC`).all() as {
      actor: string;
      count: number;
    }[];
    return { byReason: store.countByReason(), labelled: store.countByLabel(), labelsBy, passedOver: { ...capturer.passedOver }, folder: this.labelledFolder };
  }

  /** Marks an item really good or really defective; returns its capture. */
  label(target: LabelTarget, label: ItemLabel, by: Labeller): Promise<Capture> {
    const work = this.labelling.then(() => this.labelNow(target, label, by));
    this.labelling = work.catch(() => undefined);
    return work;
  }

  private async labelNow(target: LabelTarget, label: ItemLabel, by: Labeller): Promise<Capture> {
    const capture = await this.captureFor(target);
    const { store, audit, settings } = this.deps;
    // The same word again changes nothing and writes nothing (a tap repeated, or a flood of them).
    if (capture.label === label) return shown(capture);
    // A technician's word stands against an operator's: the labelled set teaches and certifies the next model.
    if (capture.labelledRole === 'technician' && by.role !== 'technician')
      throw new LabelError(`${capture.labelledBy} labelled this item really ${capture.label}: only a technician can change it`);
    const { actor } = by;
    const at = new Date();
    store.setLabel(capture.id, label, by, at, () =>
      audit.record({
        at,
        actor,
        subject: 'label',
        old: { label: capture.label, by: capture.labelledBy },
        new: { capture: capture.id, label, frameId: capture.frameId, decision: capture.decision, rejectScore: capture.rejectScore, model: capture.model },
        reason: null,
      }),
    );
    await placeLabelled(settings.dataDir, capture, label);
    return shown(store.get(capture.id)!);
  }

  /** Copies the labelled captures to a folder under an import folder (a stick): a labelled folder for any station. */
  async export(dest: string, onProgress?: (done: number, total: number) => void): Promise<LabelledExport> {
    const { settings, store } = this.deps;
    const root = await folderUnderImportRoots(dest, settings.config.model.importRoots ?? [], 'exports');
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    return exportLabelled(settings.dataDir, store.labelled(), join(root, `linesight-labelled-${settings.config.station.id}-${stamp}`), onProgress);
  }

  private async captureFor(target: LabelTarget): Promise<StoredCapture> {
    const { store, capturer, memory, history, settings } = this.deps;
    // Labels from people are kept past the station's own cap, up to twice it: a flood of labels cannot fill the disk.
    const limit = 2 * settings.config.capture.maxCaptures;
    if (target.kind !== 'capture' && store.count() >= limit)
      throw new LabelError(`${limit} items are captured, the most this station keeps (twice capture.maxCaptures): labelling more is refused`);
    if (target.kind === 'capture') {
      const c = store.get(target.id);
      if (!c) throw new LabelError(`there is no capture ${target.id}`);
      return c;
    }
    if (target.kind === 'inspection') {
      const existing = store.byInspection(target.seq);
      if (existing) return existing;
      const page = await history.inspections({}, 1, target.seq + 1);
      const row = page.rows[0];
      if (!row || row.seq !== target.seq) throw new LabelError(`there is no item ${target.seq} in the log`);
      // Captured already as it passed (a maybe, the random sample, the reject strip): that capture, never a second.
      const passed = store.byFrame(row.frameId, new Date(row.capturedAt));
      if (passed) return passed;
      const picture = await history.image(target.seq);
      if (!picture) throw new LabelError(`item ${target.seq} has no kept picture (only pictures can be taught from)`);
      if (!capturer.fits(picture.length)) throw new LabelError(FULL);
      const id = await capturer.person(
        {
          ...{ frameId: row.frameId, capturedAt: Date.parse(row.capturedAt), model: { name: row.modelName, version: row.modelVersion } },
          ...{ decision: row.decision, failSafe: row.failSafeReason !== null, rejectScore: row.rejectScore, scores: row.scores, picture },
        },
        target.seq,
      );
      return store.get(id)!;
    }
    const inspection =
      memory.recent(10_000).find((i) => i.frameId === target.frameId) ?? memory.recentRejects(10_000).find((i) => i.frameId === target.frameId);
    const picture = memory.image(target.frameId);
    if (!inspection || !picture) throw new LabelError(`item ${target.frameId} is no longer in the live view's memory: label it in History instead`);
    // The same item labelled again (or captured already, e.g. a maybe): its capture, never a second copy.
    const existing = store.byFrame(inspection.frameId, new Date(inspection.capturedAt));
    if (existing) return existing;
    if (!capturer.fits(picture.length)) throw new LabelError(FULL);
    const id = await capturer.person({
      ...{
        frameId: inspection.frameId,
        capturedAt: Date.parse(inspection.capturedAt),
        model: { name: this.deps.modelName(), version: inspection.modelVersion },
      },
      ...{
        decision: inspection.decision,
        failSafe: inspection.failSafeReason !== undefined,
        rejectScore: inspection.rejectScore,
        scores: inspection.scores,
        picture,
      },
    });
    return store.get(id)!;
  }
}
