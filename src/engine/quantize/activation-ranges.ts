/**
 * The activations' ranges, measured on calibration frames (issue 18): the
 * tensors the QDQ graph will quantise (qdq-rewrite.ts) are made outputs of a
 * copy of the float model, which runs with graph optimisation off (a fused
 * graph hides the tensors, and a model optimised for one CPU is tied to it).
 * MinMax keeps the extremes seen; Percentile keeps a histogram of |x| per
 * tensor, widened as larger values come (bins merged in pairs, so one pass
 * over the frames does), and clips the range at the given percentile — a few
 * outliers then do not spread the 256 levels over values almost never seen.
 * MSE picks, from the same histogram, the clip that makes the least squared
 * error: what clipping loses above it plus the rounding of 255 steps below.
 */
import { onnx, type OnnxTypes } from '../onnx/onnx-proto';
import type { TensorRange } from './qdq-rewrite';

export type RangeMethod = { readonly kind: 'minmax' } | { readonly kind: 'percentile'; readonly percentile: number } | { readonly kind: 'mse' };

const MEASURED_OPS = new Set(['Conv', 'Gemm', 'Relu', 'Add', 'Concat', 'GlobalAveragePool', 'AveragePool', 'MaxPool', 'GlobalMaxPool', 'Flatten']);

/** Every activation a quantisable operator reads or writes: the graph's own outputs excepted, initialisers never. */
export function tensorsToMeasure(model: OnnxTypes.ModelProto): string[] {
  const graph = model.graph!;
  const inits = new Set((graph.initializer ?? []).map((t) => t.name));
  const outputs = new Set((graph.output ?? []).map((o) => o.name));
  const found = new Set<string>();
  for (const n of graph.node ?? []) {
    if (!MEASURED_OPS.has(n.opType!)) continue;
    const ins = n.opType === 'Conv' || n.opType === 'Gemm' ? [n.input?.[0]] : (n.input ?? []);
    for (const t of [...ins, n.output?.[0]]) if (t && !inits.has(t) && !outputs.has(t)) found.add(t);
  }
  return [...found];
}

/** A copy of the model with the tensors as extra float outputs, to be run with graph optimisation off. */
export function measuringModel(model: OnnxTypes.ModelProto, tensors: readonly string[]): Uint8Array {
  const copy = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
  const graph = copy.graph!;
  const have = new Set((graph.output ?? []).map((o) => o.name));
  for (const name of tensors)
    if (!have.has(name)) graph.output!.push(onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } }));
  return onnx.ModelProto.encode(copy).finish();
}

const BINS = 2048;

class TensorStats {
  min = Infinity;
  max = -Infinity;
  /** |x| histogram over [0, top]. */
  private readonly bins = new Float64Array(BINS);
  private top = 0;

  observe(data: Float32Array, histogram: boolean): void {
    let lo = this.min;
    let hi = this.max;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      // NaN and ±Infinity hold no range (and would widen the histogram forever): passed over.
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    this.min = lo;
    this.max = hi;
    if (!histogram) return;
    const absMax = Number.isFinite(lo) ? Math.max(Math.abs(lo), Math.abs(hi)) : 0;
    if (this.top === 0) this.top = absMax > 0 ? absMax : 1;
    while (absMax > this.top) this.widen();
    const per = BINS / this.top;
    for (let i = 0; i < data.length; i++) {
      const a = Math.abs(data[i]!);
      if (Number.isFinite(a)) this.bins[Math.min(BINS - 1, Math.floor(a * per))]!++;
    }
  }

  /**
   * The clip of |x| with the least expected squared error over the histogram: values above it lose (|x| − clip)²,
   * values below it a rounding error of step²/12, the step being the clip's span over 255 levels (twice the clip
   * when the tensor holds negatives). Candidates every 16th bin edge, from the top down.
   */
  private leastSquaredErrorClip(): number {
    const width = this.top / BINS;
    const span = this.min < 0 ? 2 : 1;
    let best = this.top;
    let bestError = Infinity;
    for (let edgeBin = BINS; edgeBin >= 16; edgeBin -= 16) {
      const clip = edgeBin * width;
      const step = (span * clip) / 255;
      let error = 0;
      for (let i = 0; i < BINS; i++) {
        const n = this.bins[i]!;
        if (n === 0) continue;
        const centre = (i + 0.5) * width;
        error += centre > clip ? n * (centre - clip) ** 2 : (n * step * step) / 12;
      }
      if (error < bestError) [best, bestError] = [clip, error];
    }
    return best;
  }

  /** Doubles the histogram's span: each pair of bins becomes one. */
  private widen(): void {
    for (let i = 0; i < BINS / 2; i++) this.bins[i] = this.bins[2 * i]! + this.bins[2 * i + 1]!;
    this.bins.fill(0, BINS / 2);
    this.top *= 2;
  }

  range(method: RangeMethod): TensorRange {
    if (method.kind === 'minmax' || this.top === 0) return { min: this.min, max: this.max };
    if (method.kind === 'mse') {
      const edge = this.leastSquaredErrorClip();
      return { min: Math.max(this.min, -edge), max: Math.min(this.max, edge) };
    }
    const total = this.bins.reduce((a, b) => a + b, 0);
    const wanted = (method.percentile / 100) * total;
    let seen = 0;
    let edge = this.top;
    for (let i = 0; i < BINS; i++) {
      seen += this.bins[i]!;
      if (seen >= wanted) {
        edge = ((i + 1) / BINS) * this.top;
        break;
      }
    }
    return { min: Math.max(this.min, -edge), max: Math.min(this.max, edge) };
  }
}

export class RangeCollector {
  private readonly stats = new Map<string, TensorStats>();

  constructor(private readonly method: RangeMethod) {}

  observe(name: string, data: Float32Array): void {
    let s = this.stats.get(name);
    if (!s) this.stats.set(name, (s = new TensorStats()));
    s.observe(data, this.method.kind !== 'minmax');
  }

  ranges(): Map<string, TensorRange> {
    return new Map([...this.stats].map(([name, s]) => [name, s.range(this.method)]));
  }
}
