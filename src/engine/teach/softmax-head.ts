/**
 * The head a technician teaches on the station (issue 15): multinomial
 * logistic regression on pooled backbone features, with L2 and class weights,
 * in typed arrays — no training framework. Features are standardised first
 * (the fit is then well conditioned and one learning rate suits every
 * backbone), and the standardisation is folded back into the weights, so the
 * head the ONNX model carries is one Gemm on the raw pooled features:
 * logits = W·x + b.
 *
 * The loss is convex: full-batch Adam for a few hundred steps reaches its
 * minimum to well below what the held-out figures can tell apart.
 */

export interface HeadOptions {
  /** L2 on the weights (of standardised features), times the weighted sample count. Default 1e-3. */
  readonly l2?: number;
  /** Steps of full-batch Adam. Default 300. */
  readonly steps?: number;
  readonly learningRate?: number;
  /** 'balanced': each class weighs n / (classes × its count), so a rare defect class counts as much as the common good one. */
  readonly classWeights?: 'balanced' | 'none';
  /** Told after each step, with the loss; return false to stop (a cancel). */
  readonly onStep?: (step: number, steps: number, loss: number) => boolean | void;
}

export interface SoftmaxHead {
  readonly classes: number;
  readonly features: number;
  /** classes × features, row-major: on raw (not standardised) features. */
  readonly weights: Float32Array;
  readonly bias: Float32Array;
}

export interface FitResult {
  readonly head: SoftmaxHead;
  readonly loss: number;
  readonly steps: number;
  readonly cancelled: boolean;
}

/** Fits the head to `x` (n × d, row-major) with labels `y` in 0..classes−1. */
export function fitSoftmaxHead(x: Float32Array, y: Int32Array, classes: number, opts: HeadOptions = {}): FitResult {
  const n = y.length;
  if (n === 0 || x.length % n !== 0) throw new RangeError(`features (${x.length} values) do not divide into ${n} samples`);
  const d = x.length / n;
  const counts = new Float64Array(classes);
  for (const c of y) {
    if (c < 0 || c >= classes || !Number.isInteger(c)) throw new RangeError(`label ${c} is not one of the ${classes} classes`);
    counts[c]!++;
  }
  const sampleWeight = new Float64Array(classes).fill(1);
  if ((opts.classWeights ?? 'balanced') === 'balanced') for (let c = 0; c < classes; c++) sampleWeight[c] = counts[c]! > 0 ? n / (classes * counts[c]!) : 0;
  const totalWeight = y.reduce((s, c) => s + sampleWeight[c]!, 0);

  // Standardise each feature (a constant one gets std 1: it carries nothing, and its weight stays 0).
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) std[j]! += (x[i * d + j]! - mean[j]!) ** 2;
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]! / n) || 1;
  const z = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) z[i * d + j] = (x[i * d + j]! - mean[j]!) / std[j]!;

  const l2 = opts.l2 ?? 1e-3;
  const steps = opts.steps ?? 300;
  const lr = opts.learningRate ?? 0.05;
  const p = classes * d + classes; // weights, then biases
  const theta = new Float64Array(p);
  const grad = new Float64Array(p);
  const m1 = new Float64Array(p);
  const m2 = new Float64Array(p);
  const logits = new Float64Array(classes);
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  let loss = Infinity;
  let step = 0;
  let cancelled = false;
  for (; step < steps; step++) {
    grad.fill(0);
    loss = 0;
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let c = 0; c < classes; c++) {
        let s = theta[classes * d + c]!;
        for (let j = 0; j < d; j++) s += theta[c * d + j]! * z[i * d + j]!;
        logits[c] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += Math.exp(logits[c]! - max);
      const w = sampleWeight[y[i]!]!;
      loss += w * (max + Math.log(sum) - logits[y[i]!]!);
      for (let c = 0; c < classes; c++) {
        const g = w * (Math.exp(logits[c]! - max) / sum - (c === y[i] ? 1 : 0));
        if (g === 0) continue;
        for (let j = 0; j < d; j++) grad[c * d + j]! += g * z[i * d + j]!;
        grad[classes * d + c]! += g;
      }
    }
    let penalty = 0;
    for (let k = 0; k < classes * d; k++) {
      grad[k] = grad[k]! / totalWeight + 2 * l2 * theta[k]!;
      penalty += theta[k]! ** 2;
    }
    for (let c = 0; c < classes; c++) grad[classes * d + c]! /= totalWeight;
    loss = loss / totalWeight + l2 * penalty;
    const t = step + 1;
    for (let k = 0; k < p; k++) {
      m1[k] = beta1 * m1[k]! + (1 - beta1) * grad[k]!;
      m2[k] = beta2 * m2[k]! + (1 - beta2) * grad[k]! ** 2;
      theta[k]! -= (lr * (m1[k]! / (1 - beta1 ** t))) / (Math.sqrt(m2[k]! / (1 - beta2 ** t)) + eps);
    }
    if (opts.onStep?.(t, steps, loss) === false) {
      cancelled = true;
      step = t;
      break;
    }
  }

  // Folded back: W·((x − mean) / std) + b = (W / std)·x + (b − Σ W·mean / std).
  const weights = new Float32Array(classes * d);
  const bias = new Float32Array(classes);
  for (let c = 0; c < classes; c++) {
    let b = theta[classes * d + c]!;
    for (let j = 0; j < d; j++) {
      const wj = theta[c * d + j]! / std[j]!;
      weights[c * d + j] = wj;
      b -= wj * mean[j]!;
    }
    bias[c] = b;
  }
  return { head: { classes, features: d, weights, bias }, loss, steps: step, cancelled };
}

/** The head's class probabilities for one feature vector (as the ONNX model's Gemm and Softmax compute them). */
export function headProbabilities(head: SoftmaxHead, features: ArrayLike<number>): Float64Array {
  const { classes, features: d, weights, bias } = head;
  const logits = new Float64Array(classes);
  let max = -Infinity;
  for (let c = 0; c < classes; c++) {
    let s = bias[c]!;
    for (let j = 0; j < d; j++) s += weights[c * d + j]! * features[j]!;
    logits[c] = s;
    if (s > max) max = s;
  }
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += logits[c] = Math.exp(logits[c]! - max);
  for (let c = 0; c < classes; c++) logits[c]! /= sum;
  return logits;
}
