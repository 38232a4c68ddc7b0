/**
 * The engine's implementation of every operation in the contract. Both shells
 * use it. The caller is the connection's session: it says who the audit
 * trail names, and dispatch has already checked that it may ask.
 */
import type { ApiHandlers } from '../../shared/contract';
import type { StationEngine } from '../station-engine';

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
    importModel: ({ source, taskId }, caller) => engine.importModel(source, caller.actor, taskId),
    activateModel: ({ id, reason }, caller) => engine.activateModel(id, caller.actor, reason ?? null),
    rollbackModel: ({ reason }, caller) => engine.rollbackModel(caller.actor, reason ?? null),
    getEvents: ({ limit, kinds }) => engine.recentEvents(limit, kinds),
    setThresholds: ({ thresholds, reason }, caller) => engine.setThresholds(thresholds, caller.actor, reason),
    getAudit: ({ limit }) => engine.auditTrail(limit),
    getSession: (_request, caller) => caller.info(),
    signIn: ({ name, pin }, caller) => caller.signIn(name, pin),
    signOut: (_request, caller) => caller.signOut(),
    touchSession: (_request, caller) => {
      caller.touch();
      return caller.info();
    },
    getRecentRejects: ({ limit }) => engine.getRecentRejects(limit),
    getScoreSample: ({ window }) => engine.scoreSample(window),
    getDiagnosticsHistory: () => engine.diagnosticsHistory(),
    queryInspections: ({ filter, limit, beforeSeq }) => engine.queryInspections(filter, limit, beforeSeq),
    getInspectionImage: async ({ seq }) => {
      const jpeg = await engine.inspectionImage(seq);
      return jpeg ? { seq, jpeg } : null;
    },
    exportInspections: ({ filter }) => engine.exportInspections(filter),
    listImportCandidates: () => engine.importCandidates(),
    getBenchmarkOptions: () => engine.benchmarks.options(),
    startBenchmark: async ({ plan, whileLineRuns }, caller) => ({ runId: await engine.benchmarks.start(plan, caller.actor, whileLineRuns) }),
    cancelBenchmark: async ({ runId }) => {
      await engine.benchmarks.cancel(runId);
      return engine.benchmarks.get(runId);
    },
    listBenchmarks: ({ limit }) => engine.benchmarks.list(limit),
    getBenchmark: ({ runId }) => engine.benchmarks.get(runId),
    exportBenchmark: ({ runId, format }) => engine.benchmarks.export(runId, format),
    applyBenchmarkSettings: ({ runId, resultId, reason }, caller) => engine.benchmarks.apply(runId, resultId, caller.actor, reason),
    inspectLabelledFolder: ({ data }) => engine.teaching.inspect(data),
    startTeaching: (request, caller) => engine.teaching.start(request, caller.actor),
    cancelTeaching: ({ runId }) => engine.teaching.cancel(runId),
    getTeachRun: () => engine.teaching.latest(),
    calibrateModel: ({ data, options, split, taskId, modelId }, caller) =>
      engine.calibration.calibrate(
        { data, options, split, ...(taskId !== undefined ? { taskId } : {}), ...(modelId !== undefined ? { modelId } : {}) },
        caller.actor,
      ),
    getCalibration: () => engine.calibration.current(),
    applyCalibration: ({ reason, calibrationAt }, caller) => engine.calibration.apply(caller.actor, reason, calibrationAt),
    cancelCalibration: () => ({ cancelled: engine.calibration.cancel() }),
    getDrift: () => engine.driftWindows(),
    startShadowTrial: (request, caller) => engine.shadow.start(request, caller.actor),
    stopShadowTrial: (_request, caller) => engine.shadow.stop(caller.actor),
    getShadowTrial: ({ id }) => (id !== undefined ? engine.shadow.trial(id) : engine.shadow.current()),
    promoteShadowCandidate: ({ trialId, reason }, caller) => engine.shadow.promote(trialId, caller.actor, reason),
    discardShadowCandidate: ({ trialId, reason }, caller) => engine.shadow.discard(trialId, caller.actor, reason),
    listCaptures: ({ filter, limit, beforeId }) => engine.captures.list(filter, limit, beforeId),
    getCaptureImage: async ({ id }) => {
      const jpeg = await engine.captures.image(id);
      return jpeg ? { id, jpeg } : null;
    },
    labelItem: ({ target, label }, caller) => engine.captures.label(target, label, { actor: caller.actor, role: caller.role }),
    getCaptureSummary: () => engine.captures.summary(),
    exportLabelledCaptures: ({ dest }) => engine.captures.export(dest),
    getCameraHealth: () => engine.cameraHealth(),
    retakeCameraReference: ({ reason }, caller) => {
      engine.retakeCameraReference(caller.actor, reason);
      return { retaking: true as const };
    },
    listRecipes: () => engine.recipes.state(),
    saveRecipe: (draft, caller) => engine.recipes.save(draft, caller.actor),
    deleteRecipe: ({ id }, caller) => {
      engine.recipes.delete(id, caller.actor);
      return engine.recipes.state();
    },
    switchRecipe: ({ id, reason }, caller) => engine.recipes.switchTo({ id }, caller.actor, reason ?? null, 'technician'),
    exportRecipes: ({ dest }) => engine.exportRecipes(dest),
    importRecipes: ({ file }, caller) => engine.importRecipes(file, caller.actor),
    quantizeModel: (request, caller) => engine.quantize.quantize(request, caller.actor),
    cancelQuantization: () => ({ cancelled: engine.quantize.cancel() }),
  };
}
