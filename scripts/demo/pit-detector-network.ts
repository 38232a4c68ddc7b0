/**
 * The demo CNN as an ONNX graph: a fully convolutional pit detector.
 *
 *   image [N,3,64,64]
 *   → Conv 11×11 (32) → Relu → Conv 1×1 (16) → Relu → Conv 1×1 (1)   = pit_map [N,1,64,64]
 *   → GlobalMaxPool → a·max + b = z → softmax([-z/2, z/2])            = probabilities [N,2]
 *
 * The three convolutions are a patch classifier (an 11×11 window → pit or
 * not) slid over the image; the image is a pit if its most pit-like window
 * is. `a` and `b` calibrate that maximum into a probability.
 */
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';

export interface DenseLayer {
  /** [out][in], in = channels·k·k for the first layer (c, y, x order) */
  readonly weights: Float32Array;
  readonly bias: Float32Array;
  readonly in: number;
  readonly out: number;
}

export interface PitDetector {
  readonly size: number;
  readonly patch: number;
  readonly layers: readonly [DenseLayer, DenseLayer, DenseLayer];
  readonly calibration: { readonly a: number; readonly b: number };
}

/** Writes the detector; `withProbabilities: false` stops at the pit map (used in training). */
export function buildPitDetectorGraph(net: PitDetector, withProbabilities = true): Uint8Array {
  const g = new GraphBuilder();
  const [l1, l2, l3] = net.layers;
  const k = net.patch;
  const pad = Math.floor(k / 2);
  let x = g.node('Conv', ['image', g.floats('conv1.weight', [l1.out, 3, k, k], l1.weights), g.floats('conv1.bias', [l1.out], l1.bias)], {
    kernel_shape: [k, k],
    pads: [pad, pad, pad, pad],
  });
  x = g.node('Relu', [x]);
  x = g.node('Conv', [x, g.floats('conv2.weight', [l2.out, l2.in, 1, 1], l2.weights), g.floats('conv2.bias', [l2.out], l2.bias)], { kernel_shape: [1, 1] });
  x = g.node('Relu', [x]);
  const map = g.node('Conv', [x, g.floats('conv3.weight', [1, l3.in, 1, 1], l3.weights), g.floats('conv3.bias', [1], l3.bias)], { kernel_shape: [1, 1] }, [
    'pit_map',
  ]);
  const mapInfo = { name: 'pit_map', dims: ['batch', 1, net.size, net.size] as const };
  const input = { name: 'image', dims: ['batch', 3, net.size, net.size] as const };
  if (!withProbabilities) return g.build({ name: 'demo-cherry-pit-map', inputs: [input], outputs: [mapInfo] });

  const peak = g.node('Flatten', [g.node('GlobalMaxPool', [map])], { axis: 1 });
  const z = g.node('Add', [g.node('Mul', [peak, g.floats('calibration.a', [1], [net.calibration.a])]), g.floats('calibration.b', [1], [net.calibration.b])]);
  const logits = g.node('Mul', [z, g.floats('two_class_split', [1, 2], [-0.5, 0.5])]);
  g.node('Softmax', [logits], { axis: 1 }, ['probabilities']);
  return g.build({
    name: 'demo-cherry',
    inputs: [input],
    outputs: [{ name: 'probabilities', dims: ['batch', 2] }, mapInfo],
    docString: 'LineSight demo cherry pit detector (synthetic training data; scripts/demo/train-demo-model.mts)',
  });
}
