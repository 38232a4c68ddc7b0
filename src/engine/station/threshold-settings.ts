/**
 * The thresholds the line decides with: a technician's (kept across a
 * restart), else the config file's, else the model's. A change is in the
 * audit trail and the settings before it applies, from the next item on.
 */
import type { Thresholds } from '../../shared/manifest';
import { ThresholdsSchema } from '../../shared/manifest';
import type { StationStatus } from '../../shared/status';
import type { Logger } from '../logger';
import type { AuditTrail } from '../storage/audit-trail';
import type { MainWrites } from '../storage/main-writes';
import type { SettingsStore } from '../storage/settings-store';

const THRESHOLDS_SETTING = 'thresholds';

export class ThresholdSettings {
  private thresholds: Thresholds;
  private setByNow: StationStatus['thresholdsSetBy'] = null;

  constructor(
    private readonly deps: { readonly settingsStore: SettingsStore; readonly writes: MainWrites; readonly audit: AuditTrail; readonly logger: Logger },
    /** The config file's, else the model's: used until a technician sets them. */
    fallback: Thresholds,
  ) {
    const stored = deps.settingsStore.get(THRESHOLDS_SETTING, ThresholdsSchema);
    this.thresholds = stored?.value ?? fallback;
    if (stored) this.setByNow = { actor: stored.actor, at: stored.at, reason: stored.reason };
  }

  get current(): Thresholds {
    return this.thresholds;
  }

  get setBy(): StationStatus['thresholdsSetBy'] {
    return this.setByNow;
  }

  /** New thresholds from the next item on, in the audit trail first, and kept for the next start. */
  set(thresholds: Thresholds, actor: string, reason: string): Thresholds {
    const { writes, audit, settingsStore, logger } = this.deps;
    const old = this.thresholds;
    const at = new Date();
    // Written whole before it applies: on a full disk the change is refused with the reason (issue 11, item 3).
    writes.run('the thresholds change', () => {
      audit.record({ at, actor, subject: 'thresholds', old, new: thresholds, reason });
      settingsStore.set(THRESHOLDS_SETTING, thresholds, actor, reason, at);
    });
    this.thresholds = { ...thresholds };
    this.setByNow = { actor, at: at.toISOString(), reason };
    logger.info(`thresholds pit ≥ ${thresholds.pit}, maybe ≥ ${thresholds.maybe} (were ${old.pit}, ${old.maybe}; by ${actor}: ${reason})`);
    return this.thresholds;
  }
}
