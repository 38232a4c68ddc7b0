/** The engine's implementation of every operation in the contract. Both shells use it. */
import type { ApiHandlers } from '../../../shared/contract';
import type { StationEngine } from '../station-engine';

export function createApiHandlers(engine: StationEngine): ApiHandlers {
  return {
    getStatus: () => engine.getStatus(),
    getFrameImage: ({ frameId }) => {
      const jpeg = engine.getFrameImage(frameId);
      return jpeg ? { frameId, jpeg } : null;
    },
    getRecentInspections: ({ limit }) => engine.getRecentInspections(limit),
  };
}
