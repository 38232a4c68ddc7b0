/**
 * From a model package to the bytes ONNX Runtime will load, checked against
 * the manifest and repaired where the engine knows how: ZipMap outputs turned
 * into tensors, denormal weights flushed, float16 edges given casts. Runs in
 * the model's worker (parsing a large model would stall the UI thread) and in
 * offline tools. Everything it changes is said in `notes`.
 */
import type { ModelManifest } from '../../shared/manifest';
import { OnnxFormatError, parseOnnx, summarizeOnnx, type OnnxSummary } from '../onnx/onnx-inspect';
import { encodeOnnx, flushDenormals, removeZipMap, wrapFloat16Edges, ZipMapRewriteError } from '../onnx/onnx-rewrite';
import { checkModelAgainstManifest } from './model-checks';
import { ModelProblemsError } from './model-problems';

/** The model cannot be used with this manifest; `problems` holds one sentence each. */
export class ModelCheckError extends ModelProblemsError {
  override readonly name = 'ModelCheckError';
  constructor(
    readonly file: string,
    problems: readonly string[],
  ) {
    super(`model file ${file} was refused: ${problems.join('; ')}`, problems);
  }
}

export interface PreparedModel {
  /** What ONNX Runtime loads: the file itself when nothing needed changing. */
  readonly bytes: Uint8Array;
  readonly summary: OnnxSummary;
  /** What was changed and why, for the import report and the log. */
  readonly notes: readonly string[];
  readonly changed: boolean;
  /** The float16 input and output now take and give float32. */
  readonly float16Wrapped: boolean;
}

export interface PrepareInput {
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly manifest: ModelManifest;
  readonly labels: readonly string[];
}

export function prepareModel({ file, bytes, manifest, labels }: PrepareInput): PreparedModel {
  let model;
  try {
    model = parseOnnx(bytes);
  } catch (err) {
    if (err instanceof OnnxFormatError) throw new ModelCheckError(file, [err.message]);
    throw err;
  }
  const summary = summarizeOnnx(model);
  const problems = checkModelAgainstManifest(summary, { manifest, labels });
  if (problems.length > 0) throw new ModelCheckError(file, problems);

  const notes: string[] = [];
  const zipMap = summary.zipMaps.find((z) => z.output === manifest.output.name);
  if (zipMap) {
    try {
      removeZipMap(model, zipMap);
    } catch (err) {
      if (err instanceof ZipMapRewriteError) throw new ModelCheckError(file, [err.message]);
      throw err;
    }
    notes.push(
      `output "${zipMap.output}" was a ZipMap (a sequence of maps, which ONNX Runtime for JavaScript cannot return); rewritten so that it carries the probability tensor [N, ${zipMap.classLabels.length}]`,
    );
  }
  if (summary.denormals.values > 0) {
    const flushed = flushDenormals(model);
    notes.push(
      `${flushed} denormal float(s) in ${summary.denormals.tensors.length} weight tensor(s) (${summary.denormals.tensors.slice(0, 3).join(', ')}${summary.denormals.tensors.length > 3 ? ', …' : ''}) flushed to zero: they make CPU inference up to 10× slower`,
    );
  }
  const casts = wrapFloat16Edges(model, { inputs: [manifest.input.name], outputs: [manifest.output.name] });
  if (casts.length > 0) notes.push(`float16 ${casts.join(', ')} given float32 edges (cast inside the model on the way in and out)`);

  const changed = notes.length > 0;
  return { bytes: changed ? encodeOnnx(model) : bytes, summary, notes, changed, float16Wrapped: casts.length > 0 };
}
