/**
 * External data anywhere in a model is found and named (issue 11, item 6):
 * the top graph, If branches nested to any depth, Constant attributes,
 * sparse initializers. The check refuses the model before ONNX Runtime, which
 * would open the named file relative to the working directory, sees it.
 */
import { describe, expect, it } from 'vitest';
import { ModelManifestSchema } from '../../../src/shared/manifest';
import { findExternalData } from '../../../src/engine/onnx/external-data';
import { onnx } from '../../../src/engine/onnx/onnx-proto';
import { parseOnnx } from '../../../src/engine/onnx/onnx-inspect';
import { ModelCheckError, prepareModel } from '../../../src/engine/model-prep/prepare-model';
import { externalInConstant, externalInIfBranch, externalInSparseInitializer, externalTensor, type TestModel } from '../../fixtures/hostile-models';
import { tinyCnn, zipMapTrees } from '../../fixtures/test-models';

const found = (m: TestModel): string[] => findExternalData(parseOnnx(m.bytes));

function refusal(m: TestModel): string {
  const manifest = ModelManifestSchema.parse(m.manifest);
  try {
    prepareModel({ file: 'model.onnx', bytes: m.bytes, manifest, labels: manifest.labels! });
  } catch (err) {
    if (err instanceof ModelCheckError) return err.problems.join('\n');
    throw err;
  }
  throw new Error('the model was accepted');
}

describe('findExternalData', () => {
  it('finds nothing in self-contained models', () => {
    expect(found(tinyCnn())).toEqual([]);
    expect(found(zipMapTrees())).toEqual([]);
  });

  it('names a top-level initializer, and says which file it names', () => {
    const model = onnx.ModelProto.decode(tinyCnn().bytes);
    model.graph!.initializer!.push(externalTensor('w_ext', 2, 'weights.bin'));
    expect(findExternalData(model)).toEqual(['graph "tiny-cnn" initializer "w_ext" (file "weights.bin")']);
  });

  it('finds an initializer in an If branch, nested three Ifs deep', () => {
    expect(found(externalInIfBranch())).toEqual(['graph "tiny-cnn" › node If "If_1" attribute then_branch › graph "then_1" initializer "from_file" (file "package.json")']);
    expect(found(externalInIfBranch('/etc/passwd', 3))).toEqual([
      'graph "tiny-cnn" › node If "If_1" attribute then_branch › graph "then_1" › node If "If_2" attribute then_branch › graph "then_2" › node If "If_3" attribute then_branch › graph "then_3" initializer "from_file" (file "/etc/passwd")',
    ]);
  });

  it('finds a Constant tensor attribute, a tensors list, sparse attributes and sparse initializers', () => {
    expect(found(externalInConstant())).toEqual(['graph "tiny-cnn" › node Constant "Constant_from_file" attribute value (file "package.json")']);
    expect(found(externalInSparseInitializer())).toEqual(['graph "tiny-cnn" sparse initializer "sparse" values (file "package.json")']);
    const model = onnx.ModelProto.decode(tinyCnn().bytes);
    const A = onnx.AttributeProto.AttributeType;
    model.graph!.node!.push({
      opType: 'Custom',
      name: 'many',
      attribute: [
        { name: 'list', type: A.TENSORS, tensors: [{ name: 'fine', dims: [1], dataType: 1, floatData: [1] }, externalTensor('second')] },
        { name: 'sparse', type: A.SPARSE_TENSOR, sparseTensor: { values: { name: 'v', dims: [1], dataType: 1, floatData: [1] }, indices: externalTensor('i') } },
        { name: 'sparses', type: A.SPARSE_TENSORS, sparseTensors: [{ values: externalTensor('sv') }] },
        { name: 'bodies', type: A.GRAPHS, graphs: [{ name: 'body', initializer: [externalTensor('loop_w')] }] },
      ],
    });
    expect(findExternalData(model)).toEqual([
      'graph "tiny-cnn" › node Custom "many" attribute list[1] (file "package.json")',
      'graph "tiny-cnn" › node Custom "many" attribute sparse indices (file "package.json")',
      'graph "tiny-cnn" › node Custom "many" attribute sparses[0] values (file "package.json")',
      'graph "tiny-cnn" › node Custom "many" attribute bodies[0] › graph "body" initializer "loop_w" (file "package.json")',
    ]);
  });

  it('counts external_data entries without the EXTERNAL flag (ONNX Runtime may still look for the file)', () => {
    const model = onnx.ModelProto.decode(tinyCnn().bytes);
    model.graph!.initializer!.push({ ...externalTensor('half_marked'), dataLocation: onnx.TensorProto.DataLocation.DEFAULT });
    expect(findExternalData(model)).toHaveLength(1);
  });
});

describe('prepareModel refuses external data wherever it is', () => {
  it.each([
    ['an If branch', externalInIfBranch(), /graph "then_1" initializer "from_file"/],
    ['a Constant attribute', externalInConstant(), /node Constant "Constant_from_file" attribute value/],
    ['a sparse initializer', externalInSparseInitializer(), /sparse initializer "sparse" values/],
  ])('in %s', (_where, model, where) => {
    const problems = refusal(model);
    expect(problems).toMatch(/the model keeps tensor data in files outside it \(.*\(file "package\.json"\)\): re-export it as one self-contained \.onnx file/);
    expect(problems).toMatch(where);
  });
});
