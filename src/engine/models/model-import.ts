/**
 * Importing a model into the registry, all checks before anything is stored
 * or activated: the package (only from under model.importRoots; manifest,
 * labels, hash), the ONNX file against the manifest, the repairs (ZipMap,
 * denormals, float16 edges), and a trial load in the load probe, a child
 * process under model.loadMemoryMiB (model-probe.ts) running the model at the
 * line's batch on inputs at the extremes of what preprocessing gives. A model
 * that fails any of them is refused with the reasons; the active model is
 * never touched. The model file is read (at most model.maxFileBytes) and
 * hashed once; the probe hashes what it prepared.
 */
import type { ModelManifest } from '../../shared/manifest';
import type { ImportReport, ImportStep } from '../../shared/models';
import type { InferenceRuntime } from '../inference/session-settings';
import { loadModelPackage, MODEL_FILE, ModelPackageError, type ModelPackage } from '../model-package';
import type { FirstLoadGate } from './first-load-gate';
import { ImportRootError, manifestUnderImportRoots } from './import-roots';
import { ModelProbeRefused, type ProbeOutcome } from './model-probe';
import { ModelProblemsError } from '../model-prep/model-problems';
import type { ModelRegistry } from './model-registry';

export class ModelImportError extends ModelProblemsError {
  override readonly name = 'ModelImportError';
}

export interface ImportDeps {
  readonly registry: ModelRegistry;
  /** The line's inference settings: the trial load uses them, at the batch the line would run the model. */
  readonly runtime: InferenceRuntime;
  /** model.maxFileBytes: a larger model file is refused before it is read. */
  readonly maxFileBytes: number;
  /** The load probe: the trial load runs there. */
  readonly gate: FirstLoadGate;
  /** model.importRoots: the only folders a model is imported from. */
  readonly importRoots: readonly string[];
  readonly actor: string;
  readonly now: () => Date;
  /** Told as each step starts (running), and how the import ended (done or failed, with the step it was at). */
  readonly onStep?: (step: ImportStep, state: 'running' | 'done' | 'failed', message: string) => void;
  /**
   * The check pictures stored beside the model and the manifest that records them (the parity gate, issue 16): given
   * by the station (parity/check-files-for-import.ts), which may load the model on the CPU to make the record.
   */
  readonly checkFiles?: (pkg: ModelPackage, manifest: ModelManifest) => Promise<{ manifest: ModelManifest; files: readonly { file: string; bytes: Uint8Array }[] }>;
}

/** The manifest stored beside the prepared model: labels inline, its own hash (`preparedSha256`), float32 edges where they were added. */
function storedManifest(pkg: ModelPackage, preparedSha256: string, float16Wrapped: boolean, notes: readonly string[]): ModelManifest {
  const { labelsFile: _labelsFile, ...rest } = pkg.manifest;
  const provenance = { ...(pkg.manifest.provenance ?? {}), importedFrom: pkg.manifestPath, sourceSha256: pkg.manifest.sha256, repairs: notes };
  const base = { ...rest, labels: [...pkg.labels], modelFile: MODEL_FILE, sha256: preparedSha256, provenance };
  if (base.task === 'image-classification' && float16Wrapped) return { ...base, input: { ...base.input, dtype: 'float32' } };
  return base;
}

export async function importModel(source: string, deps: ImportDeps): Promise<ImportReport> {
  let step: ImportStep = 'read';
  const tell = deps.onStep ?? ((): void => {});
  const enter = (next: ImportStep, message: string): void => {
    step = next;
    tell(next, 'running', message);
  };
  try {
    const report = await importSteps(source, deps, enter);
    tell(step, 'done', report.alreadyImported ? `${report.model.name} ${report.model.version} was already imported` : `${report.model.name} ${report.model.version} imported`);
    return report;
  } catch (err) {
    tell(step, 'failed', (err as Error).message);
    throw err;
  }
}

async function importSteps(source: string, deps: ImportDeps, enter: (step: ImportStep, message: string) => void): Promise<ImportReport> {
  enter('read', `reading ${source}: manifest, labels, model file and its sha256`);
  let pkg: ModelPackage;
  try {
    pkg = await loadModelPackage(await manifestUnderImportRoots(source, deps.importRoots), { maxFileBytes: deps.maxFileBytes });
  } catch (err) {
    if (err instanceof ModelPackageError || err instanceof ImportRootError) throw new ModelImportError(err.message, [err.message]);
    throw err;
  }
  const { name, version } = pkg.manifest;
  enter('compare', `comparing ${name} ${version} with the registry`);
  const existing = deps.registry.find(name, version);
  if (existing) {
    if (existing.sourceSha256 === pkg.manifest.sha256) return { model: existing, provider: 'unchanged', fallbacks: [], alreadyImported: true };
    const problem = `model ${name} ${version} is already in the registry with different content: give the new model a new version`;
    throw new ModelImportError(problem, [problem]);
  }
  enter('trial-load', `checking ${name} ${version} against its manifest, repairing and loading it with warm-up runs`);
  let trial: ProbeOutcome;
  try {
    trial = await deps.gate.probe(pkg, deps.runtime);
  } catch (err) {
    // A refusal by the probe is already one sentence naming the model and the setting.
    if (err instanceof ModelProbeRefused) throw new ModelImportError(err.message, err.problems);
    const problems = err instanceof ModelProblemsError ? err.problems : [(err as Error).message];
    throw new ModelImportError(`model ${pkg.modelPath} cannot be imported: ${problems.join('; ')}`, problems);
  }
  const { info, prepared: bytes, preparedSha256 } = trial;
  enter('store', `storing ${name} ${version} in the registry, with its check pictures`);
  let stored = storedManifest(pkg, preparedSha256, info.float16Wrapped, info.notes);
  let checkFiles: readonly { file: string; bytes: Uint8Array }[] = [];
  if (deps.checkFiles) {
    try {
      ({ manifest: stored, files: checkFiles } = await deps.checkFiles(pkg, stored));
    } catch (err) {
      const problem = `model ${name} ${version} cannot be imported: ${(err as Error).message}`;
      throw new ModelImportError(problem, [problem]);
    }
  }
  const record = await deps.registry.store({
    pkg,
    preparedBytes: bytes,
    notes: info.notes,
    manifest: stored,
    checkFiles,
    actor: deps.actor,
    at: deps.now(),
  });
  return { model: record, provider: info.provider, fallbacks: [...info.fallbacks], alreadyImported: false };
}
