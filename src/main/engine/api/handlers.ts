/** The engine's implementation of every operation in the contract. Both shells use it. */
import type { ApiHandlers } from '../../../shared/contract';
import type { StationEngine } from '../station-engine';

/** Who the audit trail names for changes made through the UI. */
export const UI_ACTOR = 'station-ui';

export function createApiHandlers(engine: StationEngine): ApiHandlers {
  return {
    getStatus: () => engine.getStatus(),
    getFrameImage: ({ frameId }) => {
      const jpeg = engine.getFrameImage(frameId);
      return jpeg ? { frameId, jpeg } : null;
    },
    getRecentInspections: ({ limit }) => engine.getRecentInspections(limit),
    listModels: () => engine.listModels(),
    getModelHistory: ({ limit }) => engine.modelHistory(limit),
    // Roles and sign-in come with the technician UI; until then every change is recorded as made from the station's UI.
    importModel: ({ source }) => engine.importModel(source, UI_ACTOR),
    activateModel: ({ id, reason }) => engine.activateModel(id, UI_ACTOR, reason ?? null),
    rollbackModel: ({ reason }) => engine.rollbackModel(UI_ACTOR, reason ?? null),
    getEvents: ({ limit }) => engine.recentEvents(limit),
    setThresholds: ({ thresholds, reason }) => engine.setThresholds(thresholds, UI_ACTOR, reason),
    getAudit: ({ limit }) => engine.auditTrail(limit),
  };
}
