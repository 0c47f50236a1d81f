// Converts the verified TensorFlow.js CenterNet graph (models/centernet.*) into an ONNX model in
// memory, so onnxruntime can be measured on the very same network. The usual converters
// (tf2onnx, tfjs-graph-converter) are Python packages from PyPI, which this project cannot
// reach; this one covers exactly the ops the CenterNet graph uses and refuses any other.
// The graph stays NHWC as in TensorFlow: convolutions and pooling, which ONNX defines on NCHW,
// are wrapped in Transpose pairs that onnxruntime's transpose optimizer cancels on load.
import protobuf from 'protobufjs';
import type { VerifiedModel } from '../../edge/camera/model.js';

// The subset of onnx.proto (onnx/onnx, Apache-2.0) that a model with initializers needs; the
// field numbers are the official ones, so the bytes are a valid ModelProto.
const ONNX_PROTO = `
syntax = "proto3";
package onnx;
message AttributeProto {
  enum AttributeType { UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5; FLOATS = 6; INTS = 7; }
  string name = 1; float f = 2; int64 i = 3; bytes s = 4; TensorProto t = 5;
  repeated float floats = 7; repeated int64 ints = 8; AttributeType type = 20;
}
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message NodeProto { repeated string input = 1; repeated string output = 2; string name = 3; string op_type = 4; repeated AttributeProto attribute = 5; }
message TensorProto { repeated int64 dims = 1; int32 data_type = 2; string name = 8; bytes raw_data = 9; }
message TensorShapeProto { message Dimension { int64 dim_value = 1; } repeated Dimension dim = 1; }
message TypeProto { message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; } Tensor tensor_type = 1; }
message GraphProto { repeated NodeProto node = 1; string name = 2; repeated TensorProto initializer = 5; repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12; }
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message ModelProto { int64 ir_version = 1; string producer_name = 2; GraphProto graph = 7; repeated OperatorSetIdProto opset_import = 8; }
`;

/** The ModelProto message type, to encode a model (or decode one, as the tests do). */
export function onnxModelProto(): protobuf.Type {
  return protobuf.parse(ONNX_PROTO, { keepCase: true }).root.lookupType('onnx.ModelProto');
}

const FLOAT = 1;
const INT64 = 7;
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;
/** onnxruntime-node 1.2x runs opset 13 fully; ReduceMean still takes its axes as an attribute there. */
const OPSET = 13;
const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { s?: string; b?: boolean; i?: string; f?: number; list?: { i?: string[]; s?: string[] }; type?: string }>;
}
interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}
interface Constant {
  dims: number[];
  /** float32 weights, or int32 constants widened to int64 (ONNX wants int64 shapes, axes and k). */
  values: Float32Array | BigInt64Array;
}
type OnnxAttribute = { name: string; type: number; i?: number; s?: Uint8Array; ints?: number[]; f?: number };
type OnnxNode = { name: string; op_type: string; input: string[]; output: string[]; attribute: OnnxAttribute[] };

function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Splits the concatenated weights in manifest order, dequantizing float16 to float32. */
function readConstants(weights: Uint8Array, specs: WeightSpec[]): Map<string, Constant> {
  const out = new Map<string, Constant>();
  const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
  let offset = 0;
  for (const spec of specs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.quantization?.dtype === 'float16') {
      const values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = float16ToFloat32(view.getUint16(offset + i * 2, true));
      out.set(spec.name, { dims: spec.shape, values });
      offset += count * 2;
    } else if (!spec.quantization && spec.dtype === 'float32') {
      const values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = view.getFloat32(offset + i * 4, true);
      out.set(spec.name, { dims: spec.shape, values });
      offset += count * 4;
    } else if (!spec.quantization && spec.dtype === 'int32') {
      const values = new BigInt64Array(count);
      for (let i = 0; i < count; i++) values[i] = BigInt(view.getInt32(offset + i * 4, true));
      out.set(spec.name, { dims: spec.shape, values });
      offset += count * 4;
    } else {
      throw new Error(`weight ${spec.name}: ${spec.dtype} quantized as ${spec.quantization?.dtype} is not supported`);
    }
  }
  if (offset !== weights.byteLength) throw new Error(`weights are ${weights.byteLength} bytes, the manifest describes ${offset}`);
  return out;
}

/** TF HWIO (or depthwise H,W,C,multiplier) kernel to ONNX OIHW. */
function kernelToOihw(c: Constant, depthwise: boolean): Constant {
  const [h, w, i, o] = c.dims as [number, number, number, number];
  const src = c.values as Float32Array;
  const outC = depthwise ? i * o : o;
  const inC = depthwise ? 1 : i;
  const dst = new Float32Array(src.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ci = 0; ci < i; ci++) {
        for (let co = 0; co < o; co++) {
          const from = ((y * w + x) * i + ci) * o + co;
          const oc = depthwise ? ci * o + co : co;
          const ic = depthwise ? 0 : ci;
          dst[((oc * inC + ic) * h + y) * w + x] = src[from]!;
        }
      }
    }
  }
  return { dims: [outC, inC, h, w], values: dst };
}

const text = (s: string | undefined) => (s ? Buffer.from(s, 'base64').toString('utf8') : '');
const ints = (node: TfNode, key: string) => (node.attr?.[key]?.list?.i ?? []).map(Number);

export interface ConvertedModel {
  bytes: Uint8Array;
  inputName: string;
  outputName: string;
  nodes: number;
}

/** The ONNX bytes of the verified tfjs graph model; throws on any op it does not know. */
export function convertToOnnx(model: VerifiedModel): ConvertedModel {
  const { graph, weights, manifest } = model;
  const tfNodes = (graph.modelTopology as { node: TfNode[] }).node;
  const constants = readConstants(
    weights,
    graph.weightsManifest.flatMap((m) => m.weights as WeightSpec[]),
  );
  const initializers = new Map<string, Constant>();
  const nodes: OnnxNode[] = [];
  let serial = 0;
  const fresh = (base: string) => `${base}__${serial++}`;
  const emit = (op_type: string, input: string[], output: string, attribute: OnnxAttribute[] = []) => {
    nodes.push({ name: output, op_type, input, output: [output], attribute });
    return output;
  };
  const initializer = (name: string, c: Constant) => (initializers.set(name, c), name);
  const int64s = (name: string, values: number[]) => initializer(name, { dims: [values.length], values: BigInt64Array.from(values.map(BigInt)) });
  const floatScalar = (name: string, v: number) => initializer(name, { dims: [], values: Float32Array.of(v) });
  const constant = (name: string) => {
    const c = constants.get(name);
    if (!c) throw new Error(`expected a constant input, got ${name}`);
    return c;
  };
  const ref = (input: string) => {
    const clean = input.replace(/^\^/, '');
    if (constants.has(clean)) initializers.set(clean, constants.get(clean)!);
    // TF names a node's second output "node:1"; this converter names it "node__1".
    return clean.replace(/:(\d+)$/, (_, n) => (n === '0' ? '' : `__${n}`));
  };
  const scalarOf = (name: string) => Number((constant(name).values as BigInt64Array)[0]);
  const activate = (value: string, name: string, fused: string[]) => {
    for (const op of fused.slice(1)) {
      if (op === 'Relu') value = emit('Relu', [value], fresh(name));
      else if (op === 'Relu6') value = emit('Clip', [value, floatScalar(fresh('zero'), 0), floatScalar(fresh('six'), 6)], fresh(name));
      else throw new Error(`${name}: fused op ${op} is not supported`);
    }
    return value;
  };
  const nchw = (node: TfNode, build: (x: string) => string) => {
    if (text(node.attr?.data_format?.s) !== 'NHWC' && node.attr?.data_format) throw new Error(`${node.name}: only NHWC is supported`);
    const x = emit('Transpose', [ref(node.input![0]!)], fresh(`${node.name}/nchw`), [{ name: 'perm', type: ATTR.INTS, ints: NHWC_TO_NCHW }]);
    return emit('Transpose', [build(x)], fresh(`${node.name}/nhwc`), [{ name: 'perm', type: ATTR.INTS, ints: NCHW_TO_NHWC }]);
  };
  const windowAttrs = (node: TfNode, kernel: number[]): OnnxAttribute[] => {
    const strides = ints(node, 'strides');
    const dilations = ints(node, 'dilations');
    const padding = text(node.attr?.padding?.s);
    if (padding !== 'SAME' && padding !== 'VALID') throw new Error(`${node.name}: padding ${padding} is not supported`);
    const attrs: OnnxAttribute[] = [
      // TF SAME puts the odd pixel of padding at the end, as ONNX SAME_UPPER does.
      { name: 'auto_pad', type: ATTR.STRING, s: Buffer.from(padding === 'SAME' ? 'SAME_UPPER' : 'VALID') },
      { name: 'kernel_shape', type: ATTR.INTS, ints: kernel },
      { name: 'strides', type: ATTR.INTS, ints: [strides[1] ?? 1, strides[2] ?? 1] },
    ];
    if (dilations.length) attrs.push({ name: 'dilations', type: ATTR.INTS, ints: [dilations[1]!, dilations[2]!] });
    return attrs;
  };
  const conv = (node: TfNode, depthwise: boolean) => {
    const fused = (node.attr?.fused_ops?.list?.s ?? []).map(text);
    if (fused.length && fused[0] !== 'BiasAdd') throw new Error(`${node.name}: fused ops ${fused.join('+')} are not supported`);
    const kernel = constant(node.input![1]!);
    const weight = initializer(`${node.name}/oihw`, kernelToOihw(kernel, depthwise));
    const inputs = [weight];
    if (fused[0] === 'BiasAdd') inputs.push(ref(node.input![2]!));
    const attrs = windowAttrs(node, [kernel.dims[0]!, kernel.dims[1]!]);
    if (depthwise) attrs.push({ name: 'group', type: ATTR.INT, i: kernel.dims[2]! });
    const out = nchw(node, (x) => emit('Conv', [x, ...inputs], fresh(`${node.name}/conv`), attrs));
    return activate(out, node.name, fused);
  };

  const alias = new Map<string, string>();
  let inputName = '';
  for (const node of tfNodes) {
    const inputs = (node.input ?? []).filter((i) => !i.startsWith('^'));
    const arg = (k: number) => {
      const r = ref(inputs[k]!);
      return alias.get(r) ?? r;
    };
    let out: string;
    switch (node.op) {
      case 'Const':
        continue;
      case 'Placeholder':
        inputName = node.name;
        continue;
      case '_FusedConv2D':
      case 'Conv2D':
        out = conv({ ...node, input: [arg(0), ...inputs.slice(1)] }, false);
        break;
      case 'FusedDepthwiseConv2dNative':
      case 'DepthwiseConv2dNative':
        out = conv({ ...node, input: [arg(0), ...inputs.slice(1)] }, true);
        break;
      case 'MaxPool': {
        const k = ints(node, 'ksize');
        out = nchw({ ...node, input: [arg(0)] }, (x) => emit('MaxPool', [x], fresh(`${node.name}/pool`), windowAttrs(node, [k[1]!, k[2]!])));
        break;
      }
      case 'ResizeBilinear': {
        if (node.attr?.align_corners?.b || node.attr?.half_pixel_centers?.b)
          throw new Error(`${node.name}: only align_corners=false, half_pixel_centers=false is supported`);
        const size = Array.from(constant(inputs[1]!).values as BigInt64Array, Number);
        const attrs: OnnxAttribute[] = [
          { name: 'mode', type: ATTR.STRING, s: Buffer.from('linear') },
          // TF's legacy bilinear resize samples at dst * in/out, ONNX "asymmetric".
          { name: 'coordinate_transformation_mode', type: ATTR.STRING, s: Buffer.from('asymmetric') },
        ];
        const hw = int64s(fresh(`${node.name}/hw`), [size[0]!, size[1]!]);
        const roi = initializer(fresh('roi'), { dims: [0], values: new Float32Array(0) });
        const scales = initializer(fresh('scales'), { dims: [0], values: new Float32Array(0) });
        out = nchw({ ...node, input: [arg(0)] }, (x) => {
          // Resize wants all four output sizes; N and C come from the input's shape at run time.
          const shape = emit('Shape', [x], fresh(`${node.name}/shape`));
          const nc = emit('Slice', [shape, int64s(fresh('starts'), [0]), int64s(fresh('ends'), [2])], fresh(`${node.name}/nc`));
          const sizes = emit('Concat', [nc, hw], fresh(`${node.name}/sizes`), [{ name: 'axis', type: ATTR.INT, i: 0 }]);
          return emit('Resize', [x, roi, scales, sizes], fresh(`${node.name}/resize`), attrs);
        });
        break;
      }
      case 'Mul':
      case 'Add':
      case 'Sub':
      case 'Equal':
        out = emit(node.op, [arg(0), arg(1)], node.name);
        break;
      case 'FloorDiv':
        // Integer Div truncates; equal to floor here because the operands (indices, sizes) are ≥ 0.
        out = emit('Div', [arg(0), arg(1)], node.name);
        break;
      case 'FloorMod':
        out = emit('Mod', [arg(0), arg(1)], node.name);
        break;
      case 'Relu':
      case 'Sigmoid':
      case 'Identity':
        out = emit(node.op, [arg(0)], node.name);
        break;
      case 'Relu6':
        out = emit('Clip', [arg(0), floatScalar(fresh('zero'), 0), floatScalar(fresh('six'), 6)], node.name);
        break;
      case 'Mean':
        out = emit('ReduceMean', [arg(0)], node.name, [
          { name: 'axes', type: ATTR.INTS, ints: Array.from(constant(inputs[1]!).values as BigInt64Array, Number) },
          { name: 'keepdims', type: ATTR.INT, i: node.attr?.keep_dims?.b ? 1 : 0 },
        ]);
        break;
      case 'ConcatV2':
        out = emit(
          'Concat',
          inputs.slice(0, -1).map((_, k) => arg(k)),
          node.name,
          [{ name: 'axis', type: ATTR.INT, i: scalarOf(inputs.at(-1)!) }],
        );
        break;
      case 'Reshape':
        out = emit('Reshape', [arg(0), arg(1)], node.name);
        break;
      case 'Cast': {
        if (node.attr?.DstT?.type !== 'DT_FLOAT') throw new Error(`${node.name}: only casts to float are supported`);
        out = emit('Cast', [arg(0)], node.name, [{ name: 'to', type: ATTR.INT, i: FLOAT }]);
        break;
      }
      case 'TopKV2': {
        const k = int64s(fresh(`${node.name}/k`), [scalarOf(inputs[1]!)]);
        nodes.push({
          name: node.name,
          op_type: 'TopK',
          input: [arg(0), k],
          output: [node.name, `${node.name}__1`],
          attribute: [{ name: 'sorted', type: ATTR.INT, i: 1 }],
        });
        out = node.name;
        break;
      }
      case 'ExpandDims':
        out = emit('Unsqueeze', [arg(0), int64s(fresh(`${node.name}/axes`), [scalarOf(inputs[1]!)])], node.name);
        break;
      case 'GatherV2':
        if (Number(node.attr?.batch_dims?.i ?? 0) !== 0) throw new Error(`${node.name}: batch_dims is not supported`);
        out = emit('Gather', [arg(0), arg(1)], node.name, [{ name: 'axis', type: ATTR.INT, i: scalarOf(inputs[2]!) }]);
        break;
      case 'StridedSlice': {
        for (const m of ['ellipsis_mask', 'new_axis_mask', 'shrink_axis_mask']) {
          if (Number(node.attr?.[m]?.i ?? 0) !== 0) throw new Error(`${node.name}: ${m} is not supported`);
        }
        const begin = Array.from(constant(inputs[1]!).values as BigInt64Array, Number);
        const end = Array.from(constant(inputs[2]!).values as BigInt64Array, Number);
        const step = Array.from(constant(inputs[3]!).values as BigInt64Array, Number);
        const beginMask = Number(node.attr?.begin_mask?.i ?? 0);
        const endMask = Number(node.attr?.end_mask?.i ?? 0);
        const starts = begin.map((b, a) => (beginMask & (1 << a) ? 0 : b));
        const ends = end.map((e, a) => (endMask & (1 << a) ? Number.MAX_SAFE_INTEGER : e));
        const axes = begin.map((_, a) => a);
        out = emit(
          'Slice',
          [arg(0), int64s(fresh('starts'), starts), int64s(fresh('ends'), ends), int64s(fresh('axes'), axes), int64s(fresh('steps'), step)],
          node.name,
        );
        break;
      }
      default:
        throw new Error(`${node.name}: op ${node.op} is not supported by this converter`);
    }
    if (out !== node.name) alias.set(node.name, out);
  }

  const outputName = manifest.output.name;
  const finalOutput = alias.get(outputName) ?? outputName;
  const [n, h, w, c] = manifest.input.shape;
  const ModelProto = onnxModelProto();
  const tensor = (name: string, t: Constant) => ({
    name,
    dims: t.dims,
    data_type: t.values instanceof Float32Array ? FLOAT : INT64,
    raw_data: new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength),
  });
  const message = ModelProto.fromObject({
    ir_version: 8,
    producer_name: 'ioc-edge bench/support/tfjs-to-onnx',
    opset_import: [{ domain: '', version: OPSET }],
    graph: {
      name: manifest.name,
      node: nodes,
      initializer: [...initializers].map(([name, t]) => tensor(name, t)),
      input: [{ name: inputName, type: { tensor_type: { elem_type: FLOAT, shape: { dim: [n, h, w, c].map((d) => ({ dim_value: d })) } } } }],
      output: [{ name: finalOutput, type: { tensor_type: { elem_type: FLOAT } } }],
    },
  });
  return { bytes: ModelProto.encode(message).finish(), inputName, outputName: finalOutput, nodes: nodes.length };
}
