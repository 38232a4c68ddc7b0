/**
 * Machine health at start-up: the sensor model (a tabular package) through
 * the load probe, then the monitor on the configured sensors. Null when no
 * sensor is configured; throws ModelPackageError with the reasons otherwise.
 */
import type { SensorsConfig } from '../../shared/sensor-config';
import type { AlarmBoard } from '../alarms/alarm-board';
import type { InferenceRuntime } from '../inference/session-settings';
import type { WorkerEntry } from '../rpc/worker-entry';
import type { Logger } from '../logger';
import { isTabularPackage, loadModelPackage, ModelPackageError } from '../model-package';
import { ModelProblemsError } from '../model-prep/model-problems';
import type { FirstLoadGate } from '../models/first-load-gate';
import type { EventLog } from '../storage/event-log';
import { MachineHealthMonitor } from './machine-health';

export interface MachineHealthStart {
  readonly config: SensorsConfig;
  readonly maxFileBytes: number;
  readonly runtime: InferenceRuntime;
  readonly entry: WorkerEntry;
  readonly probes: FirstLoadGate;
  readonly alarms: AlarmBoard;
  readonly events: EventLog;
  readonly logger: Logger;
}

export async function startMachineHealth(s: MachineHealthStart): Promise<MachineHealthMonitor | null> {
  if (s.config.sources.length === 0) return null;
  const pkg = await loadModelPackage(s.config.model.dir!, { maxFileBytes: s.maxFileBytes });
  if (!isTabularPackage(pkg))
    throw new ModelPackageError(`sensor model ${pkg.manifestPath} is a ${pkg.manifest.task} model; machine health needs a tabular model`);
  try {
    // The sensor model is a model file too: its first load on this station runs in the load probe first.
    await s.probes.ensure(pkg, s.runtime);
    return await MachineHealthMonitor.start({
      config: s.config,
      pkg,
      settings: s.runtime.session,
      entry: s.entry,
      alarms: s.alarms,
      events: s.events,
      logger: s.logger,
    });
  } catch (err) {
    const reasons = err instanceof ModelProblemsError ? err.problems.join('; ') : (err as Error).message;
    throw new ModelPackageError(`sensor model ${pkg.modelPath} cannot be run: ${reasons}`);
  }
}
