/**
 * Camera health on the station (issue 16): the frozen camera raises the
 * watchdog's alarm and fail-safe, blur and exposure its warnings; the
 * camera's reference sharpness is kept in the station's settings, so a
 * restart with the lens already out of focus is held to the reference taken
 * when it was sharp. A technician who refocused or replaced the camera
 * retakes it (audited).
 */
import { z } from 'zod';
import type { StationConfig } from '../../shared/config';
import { CameraHealth } from '../camera-health/camera-health';
import type { Logger } from '../logger';
import type { AuditTrail } from '../storage/audit-trail';
import type { MainWrites } from '../storage/main-writes';
import type { SettingsStore } from '../storage/settings-store';
import type { Watchdog } from './watchdog';
import { messageOf } from '../error-message';

export const CAMERA_REFERENCE_SETTING = 'camera-reference';
const ReferenceSchema = z.object({ sharpness: z.number().positive() }).strict();

export interface CameraWatch {
  readonly health: CameraHealth;
  /** The next pictures become the camera's reference: audited, with the technician's reason. */
  retakeReference(actor: string, reason: string): void;
}

export function watchCamera(deps: {
  readonly config: StationConfig['source'];
  readonly watchdog: Watchdog;
  readonly settingsStore: SettingsStore;
  readonly writes: MainWrites;
  readonly audit: AuditTrail;
  readonly logger: Logger;
}): CameraWatch {
  const { settingsStore, writes, audit, logger } = deps;
  const stored = settingsStore.get(CAMERA_REFERENCE_SETTING, ReferenceSchema);
  const health = new CameraHealth(deps.config, {
    onFrozen: (state) => deps.watchdog.cameraFrozen(state),
    onQuality: (state) => deps.watchdog.pictureQuality(state),
    reference: {
      reference: stored?.value.sharpness ?? null,
      keep: (sharpness) => {
        try {
          writes.run("the camera's reference", () =>
            settingsStore.set(CAMERA_REFERENCE_SETTING, { sharpness }, 'the station', 'taken from its first pictures', new Date()),
          );
          logger.info(`camera reference sharpness ${sharpness.toFixed(1)} taken from its first pictures`);
        } catch (err) {
          // Kept for this run; the next start takes it again.
          logger.warn(`the camera's reference could not be kept: ${messageOf(err)}`);
        }
      },
    },
  });
  return {
    health,
    retakeReference: (actor, reason) => {
      const old = settingsStore.get(CAMERA_REFERENCE_SETTING, ReferenceSchema)?.value ?? null;
      writes.run("retaking the camera's reference", () =>
        audit.record({
          at: new Date(),
          actor,
          subject: 'config',
          old: { cameraReference: old },
          new: { cameraReference: 'retaken from the next pictures' },
          reason,
        }),
      );
      health.retakeReference();
    },
  };
}
