/**
 * Does the ONNX file agree with its manifest? Every disagreement is one
 * sentence a technician can act on. Pure: the file's summary and the
 * package's manifest in, problems out.
 */
import { channelCount } from '../../shared/manifest';
import type { ModelPackage } from '../model-package';
import { elemTypeName, type Dim, type OnnxSummary, type ValueSummary } from '../onnx/onnx-inspect';

/** Oldest default-domain opset ONNX Runtime still runs. */
export const MIN_OPSET = 7;

/** What the checks read of a package: its manifest and resolved labels. */
export type PackageFacts = Pick<ModelPackage, 'manifest' | 'labels'>;

const DTYPE_ELEM: Record<string, number> = { float32: 1, float16: 10 };

const showDims = (dims: readonly Dim[] | null): string => (dims ? `[${dims.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : 'unknown shape');
const isFixed = (d: Dim | undefined): d is number => typeof d === 'number' && d > 0;

function checkBatchDim(input: ValueSummary, declared: 'fixed' | 'dynamic', problems: string[]): void {
  const batch = input.dims?.[0];
  if (isFixed(batch) && batch !== 1) {
    problems.push(`input "${input.name}" has a fixed batch of ${batch}; LineSight feeds one item or a dynamic batch`);
  } else if (declared === 'dynamic' && batch === 1) {
    problems.push(`manifest says batch "dynamic" but input "${input.name}" takes exactly 1 item ${showDims(input.dims)}: set "batch": "fixed"`);
  }
}

function checkImageInput(pkg: PackageFacts, input: ValueSummary, problems: string[]): void {
  if (pkg.manifest.task !== 'image-classification') return;
  const { layout } = pkg.manifest.input;
  const { width, height, channelOrder } = pkg.manifest.preprocessing;
  const dims = input.dims;
  if (!dims) return; // shape not recorded in the file: the trial run decides
  if (dims.length !== 4) {
    problems.push(`input "${input.name}" has ${dims.length} dimensions ${showDims(dims)}; an image model takes 4 (${layout})`);
    return;
  }
  checkBatchDim(input, pkg.manifest.input.batch, problems);
  const [c, h, w] = layout === 'NCHW' ? [dims[1], dims[2], dims[3]] : [dims[3], dims[1], dims[2]];
  const channels = channelCount(channelOrder);
  if (isFixed(c) && c !== channels) {
    const hint = layout === 'NCHW' && isFixed(dims[3]) && dims[3] === channels ? ' (the model looks NHWC: set "layout": "NHWC")' : '';
    problems.push(`input "${input.name}" ${showDims(dims)} has ${c} channel(s) in ${layout} order but the manifest's ${channelOrder} gives ${channels}${hint}`);
  }
  if ((isFixed(h) && h !== height) || (isFixed(w) && w !== width)) {
    problems.push(`input "${input.name}" takes ${w ?? '?'}×${h ?? '?'} pixels ${showDims(dims)} but the manifest preprocesses to ${width}×${height}`);
  }
}

function checkTabularInput(pkg: PackageFacts, input: ValueSummary, problems: string[]): void {
  if (pkg.manifest.task !== 'tabular-classification' || !input.dims) return;
  if (input.dims.length !== 2) {
    problems.push(`input "${input.name}" has ${input.dims.length} dimensions ${showDims(input.dims)}; a tabular model takes 2 [items, features]`);
    return;
  }
  checkBatchDim(input, pkg.manifest.input.batch, problems);
  const features = input.dims[1];
  if (isFixed(features) && features !== pkg.manifest.features.length) {
    problems.push(`input "${input.name}" takes ${features} features but the manifest lists ${pkg.manifest.features.length}`);
  }
}

function checkOutput(pkg: PackageFacts, summary: OnnxSummary, problems: string[]): void {
  const { name } = pkg.manifest.output;
  const output = summary.outputs.find((o) => o.name === name);
  if (!output) {
    problems.push(`the model has no output "${name}" (its outputs: ${summary.outputs.map((o) => o.name).join(', ') || 'none'})`);
    return;
  }
  const zipMap = summary.zipMaps.find((z) => z.output === name);
  if (zipMap) {
    if (zipMap.classLabels.length > 0 && zipMap.classLabels.length !== pkg.labels.length) {
      problems.push(`output "${name}" has ${zipMap.classLabels.length} classes but the manifest has ${pkg.labels.length} labels`);
    }
    return; // the importer rewrites it into a tensor
  }
  if (output.kind !== 'tensor') {
    problems.push(`output "${name}" is a ${output.kind}, not a tensor: ONNX Runtime for JavaScript cannot return it`);
    return;
  }
  const perItem = output.dims?.slice(1);
  if (perItem && perItem.every(isFixed)) {
    const classes = perItem.reduce((a, b) => a * b, 1);
    if (classes !== pkg.labels.length) {
      problems.push(`output "${name}" ${showDims(output.dims)} gives ${classes} scores per item but the manifest has ${pkg.labels.length} labels`);
    }
  }
}

/** Everything that makes this file unusable with this manifest; empty when they agree. */
export function checkModelAgainstManifest(summary: OnnxSummary, pkg: PackageFacts): string[] {
  const problems: string[] = [];
  if (summary.opset < MIN_OPSET) {
    problems.push(`the model uses opset ${summary.opset}, older than ONNX Runtime runs (${MIN_OPSET} or newer): re-export it with a newer opset`);
  }
  if (summary.externalData.length > 0) {
    const shown = summary.externalData.slice(0, 3).join('; ') + (summary.externalData.length > 3 ? `; and ${summary.externalData.length - 3} more` : '');
    problems.push(`the model keeps tensor data in files outside it (${shown}): re-export it as one self-contained .onnx file`);
  }
  const { name, dtype } = pkg.manifest.input;
  const input = summary.inputs.find((i) => i.name === name);
  if (!input) {
    problems.push(`the model has no input "${name}" (its inputs: ${summary.inputs.map((i) => i.name).join(', ') || 'none'})`);
  } else {
    const others = summary.inputs.filter((i) => i.name !== name).map((i) => i.name);
    if (others.length > 0) problems.push(`the model needs more inputs than "${name}" (${others.join(', ')}); LineSight feeds one`);
    if (input.kind !== 'tensor') problems.push(`input "${name}" is a ${input.kind}, not a tensor`);
    else if (input.elemType !== DTYPE_ELEM[dtype]) {
      problems.push(`manifest says input dtype ${dtype} but the model's input "${name}" is ${elemTypeName(input.elemType)}`);
    }
    checkImageInput(pkg, input, problems);
    checkTabularInput(pkg, input, problems);
  }
  checkOutput(pkg, summary, problems);
  return problems;
}
