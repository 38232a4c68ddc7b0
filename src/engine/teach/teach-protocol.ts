/** What the teach worker (teach-worker.ts) is asked and says, typed once for both sides (rpc/rpc-protocol.ts). */
import type { TeachPhase } from '../../shared/teach';
import type { TaughtPackage } from './teach-model';

export interface TeachJob {
  /** The labelled folder, and the share of it held out (by name: labelled-folder.ts). */
  readonly dataDir: string;
  readonly heldOutShare: number;
  /** The backbone package (folder or manifest). */
  readonly backbone: string;
  readonly rejectLabel: string;
  readonly name: string;
  readonly version: string;
  readonly steps?: number;
  readonly l2?: number;
  /** Real paths the pictures must resolve inside (the station's import folders); undefined on the command line. */
  readonly roots?: readonly string[];
  /** Set to 1 (Atomics) to cancel: read between fit steps, where no message can arrive. */
  readonly cancelFlag?: SharedArrayBuffer;
}

export interface TeachWorkerResult {
  readonly taught: TaughtPackage;
  readonly counts: readonly { readonly label: string; readonly total: number; readonly heldOut: number }[];
  /** The held-out pictures, for calibrating the taught model through the line's path afterwards. */
  readonly heldOutPictures: readonly { readonly name: string; readonly path: string; readonly label: number }[];
  readonly labels: readonly string[];
  readonly fingerprint: string;
  /** The worker thread's nice value while it taught (19: the lowest priority; null where it could not be set). */
  readonly priority: number | null;
}

export interface TeachProtocol {
  readonly open: { readonly args: null; readonly result: null };
  readonly calls: { readonly teach: { readonly args: TeachJob; readonly result: TeachWorkerResult } };
  readonly tells: { readonly cancel: null };
  readonly notes: { readonly phase: TeachPhase; readonly done: number; readonly total: number };
}
