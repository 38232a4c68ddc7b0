/**
 * Writes a random forest trained with ml-random-forest as an ONNX
 * TreeEnsembleClassifier (ai.onnx.ml), the operator LightGBM and scikit-learn
 * exports use. Each tree's leaves carry their class distribution divided by
 * the number of trees, so the output is the forest's mean class probability
 * (soft voting, as scikit-learn's RandomForestClassifier). ml-cart sends a row
 * left when value < split, which is ONNX's BRANCH_LT. Each estimator saw only
 * some columns (ml-random-forest's feature bagging): its split columns are
 * mapped back to the model's inputs.
 */
import type { RandomForestClassifier } from 'ml-random-forest';
import { DataType, GraphBuilder } from '../../src/engine/onnx/graph-builder';

interface CartNode {
  readonly splitColumn?: number;
  readonly splitValue?: number;
  readonly left?: CartNode;
  readonly right?: CartNode;
  readonly distribution?: { to1DArray(): number[] } | number;
}

interface ForestInternals {
  readonly estimators: readonly { readonly root: CartNode }[];
  readonly indexes: readonly (readonly number[])[];
}

export interface ForestExport {
  readonly inputName: string;
  readonly featureCount: number;
  /** The class ids the forest was trained on, 0 … C−1. */
  readonly classes: number;
  readonly outputName: string;
  readonly docString: string;
}

export function forestToOnnx(forest: RandomForestClassifier, opts: ForestExport): Uint8Array {
  const { estimators, indexes } = forest as unknown as ForestInternals;
  const a = {
    nodes_treeids: [] as number[],
    nodes_nodeids: [] as number[],
    nodes_featureids: [] as number[],
    nodes_values: [] as number[],
    nodes_modes: [] as string[],
    nodes_truenodeids: [] as number[],
    nodes_falsenodeids: [] as number[],
    class_treeids: [] as number[],
    class_nodeids: [] as number[],
    class_ids: [] as number[],
    class_weights: [] as number[],
  };
  const trees = estimators.length;
  estimators.forEach((estimator, tree) => {
    const columns = indexes[tree]!;
    let next = 0;
    const visit = (node: CartNode): number => {
      const id = next++;
      const at = a.nodes_nodeids.length;
      a.nodes_treeids.push(tree);
      a.nodes_nodeids.push(id);
      if (node.left && node.right && node.splitColumn !== undefined && node.splitValue !== undefined) {
        a.nodes_featureids.push(columns[node.splitColumn]!);
        a.nodes_values.push(node.splitValue);
        a.nodes_modes.push('BRANCH_LT');
        a.nodes_truenodeids.push(0);
        a.nodes_falsenodeids.push(0);
        a.nodes_truenodeids[at] = visit(node.left);
        a.nodes_falsenodeids[at] = visit(node.right);
      } else {
        a.nodes_featureids.push(0);
        a.nodes_values.push(0);
        a.nodes_modes.push('LEAF');
        a.nodes_truenodeids.push(0);
        a.nodes_falsenodeids.push(0);
        const dist = typeof node.distribution === 'object' ? node.distribution.to1DArray() : [];
        const total = dist.reduce((s, v) => s + v, 0) || 1;
        for (let c = 0; c < opts.classes; c++) {
          a.class_treeids.push(tree);
          a.class_nodeids.push(id);
          a.class_ids.push(c);
          a.class_weights.push((dist[c] ?? 0) / total / trees);
        }
      }
      return id;
    };
    visit(estimator.root);
  });
  const g = new GraphBuilder();
  // Thresholds and weights are FLOATS even when every value happens to be whole.
  g.node(
    'TreeEnsembleClassifier',
    [opts.inputName],
    {
      ...a,
      nodes_values: Float32Array.from(a.nodes_values),
      class_weights: Float32Array.from(a.class_weights),
      classlabels_int64s: Array.from({ length: opts.classes }, (_, c) => c),
      post_transform: 'NONE',
    },
    ['label', opts.outputName],
    'ai.onnx.ml',
  );
  return g.build({
    name: 'random-forest',
    inputs: [{ name: opts.inputName, dims: ['N', opts.featureCount] }],
    outputs: [
      { name: 'label', dims: ['N'], elemType: DataType.INT64 },
      { name: opts.outputName, dims: ['N', opts.classes] },
    ],
    opset: 17,
    extraOpsets: [{ domain: 'ai.onnx.ml', version: 3 }],
    docString: opts.docString,
  });
}
