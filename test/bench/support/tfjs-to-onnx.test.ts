// The CenterNet graph converted to ONNX for the onnxruntime comparison (bench/detector-onnx.ts):
// every weight carried over once with its value, only standard ONNX ops, the model's own input
// and output, and a graph with an op the converter does not know refused by name.
import t from 'tap';
import { loadVerifiedModel, type VerifiedModel } from '../../../edge/camera/model.js';
import { convertToOnnx, onnxModelProto } from '../../../bench/support/tfjs-to-onnx.js';

interface DecodedTensor {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}
interface DecodedModel {
  opset_import: { version: number }[];
  graph: {
    node: { op_type: string; input: string[]; output: string[] }[];
    initializer: DecodedTensor[];
    input: { name: string; type: { tensor_type: { shape: { dim: { dim_value: number }[] } } } }[];
    output: { name: string }[];
  };
}

const model = loadVerifiedModel();
const converted = convertToOnnx(model);
const decoded = onnxModelProto().toObject(onnxModelProto().decode(converted.bytes), { longs: Number, bytes: Uint8Array as never }) as DecodedModel;

t.test('the converted graph keeps the model input and output and uses standard ops only', async (t) => {
  t.equal(decoded.opset_import[0]?.version, 13);
  t.same(
    decoded.graph.input.map((i) => i.name),
    ['tower_0/images'],
  );
  t.same(
    decoded.graph.input[0]!.type.tensor_type.shape.dim.map((d) => d.dim_value),
    [1, 512, 512, 3],
    'NHWC input as the tfjs model takes it',
  );
  t.same(
    decoded.graph.output.map((o) => o.name),
    ['tower_0/detections'],
  );
  const ops = new Set(decoded.graph.node.map((n) => n.op_type));
  const standard = [
    'Conv',
    'Transpose',
    'Clip',
    'Relu',
    'Mul',
    'Add',
    'Sub',
    'ReduceMean',
    'Sigmoid',
    'Resize',
    'Shape',
    'Slice',
    'Concat',
    'Identity',
    'MaxPool',
    'Equal',
    'Cast',
    'Reshape',
    'TopK',
    'Unsqueeze',
    'Div',
    'Mod',
    'Gather',
  ];
  t.same(
    [...ops].filter((op) => !standard.includes(op)),
    [],
    `ops: ${[...ops].join(', ')}`,
  );
  const produced = new Set([...decoded.graph.node.flatMap((n) => n.output), ...decoded.graph.initializer.map((i) => i.name), 'tower_0/images']);
  const dangling = decoded.graph.node.flatMap((n) => n.input).filter((i) => i && !produced.has(i));
  t.same(dangling, [], 'every node input is produced by a node, an initializer or the graph input');
});

t.test('every float weight arrives once, dequantized from float16 to the same values', async (t) => {
  const specs = model.graph.weightsManifest.flatMap((m) => m.weights) as { name: string; shape: number[]; dtype: string }[];
  const floatCount = specs.filter((s) => s.dtype === 'float32').reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  const floats = decoded.graph.initializer.filter((i) => i.data_type === 1);
  const converted = floats.reduce((n, i) => n + i.raw_data.byteLength / 4, 0);
  // Scalars the converter adds (Relu6 bounds, empty Resize roi/scales) are the only extras.
  const extras = floats.filter((i) => /__\d+$/.test(i.name)).reduce((n, i) => n + i.raw_data.byteLength / 4, 0);
  t.equal(converted - extras, floatCount, `${floatCount} float weights`);
  // A bias is a plain vector: compare it value by value with the float16 source.
  const bias = decoded.graph.initializer.find((i) => i.name === 'tower_0/MobilenetV3/Conv/Conv2D_bn_offset')!;
  const values = new Float32Array(Uint8Array.from(bias.raw_data).buffer);
  let offset = 0;
  for (const spec of specs) {
    if (spec.name === bias.name) break;
    offset += spec.shape.reduce((a, b) => a * b, 1) * (spec.dtype === 'float32' ? 2 : 4);
  }
  const view = new DataView(model.weights.buffer, model.weights.byteOffset + offset);
  const half = (bits: number) => {
    const e = (bits >> 10) & 0x1f;
    const f = bits & 0x3ff;
    const v = e === 0 ? 2 ** -14 * (f / 1024) : 2 ** (e - 15) * (1 + f / 1024);
    return bits & 0x8000 ? -v : v;
  };
  t.ok(values.length > 0 && values.every((v, i) => v === half(view.getUint16(i * 2, true))), `${values.length} bias values equal the float16 source`);
});

t.test('an op the converter does not know is refused by name, not converted wrongly', async (t) => {
  const topology = model.graph.modelTopology as { node: { name: string; op: string; input?: string[] }[] };
  const altered: VerifiedModel = {
    ...model,
    graph: { ...model.graph, modelTopology: { ...topology, node: topology.node.map((n) => (n.op === 'Sigmoid' ? { ...n, op: 'Softplus' } : n)) } },
  };
  t.throws(() => convertToOnnx(altered), /op Softplus is not supported/);
});
