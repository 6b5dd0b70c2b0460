/**
 * One converter per supported ONNX operator: it reads the node's attributes
 * and weights and builds the Inkling layer that computes the same thing.
 * Every attribute value Inkling cannot honour (grouped or dilated
 * convolutions, non-square windows, average pooling that excludes padding,
 * …) is refused with a {@linkcode FormatError} naming the file, the node and
 * the op, never silently approximated.
 *
 * @module
 */

import { type DType, FormatError, Rng, type Tensor } from "../autograd/mod.ts";
import {
  AvgPool2d,
  BatchNorm,
  Conv2d,
  Dropout,
  Flatten,
  GlobalAvgPool2d,
  Linear,
  MaxPool2d,
  type Module,
  ReLU,
  Sequential,
  Sigmoid,
  Tanh,
} from "../layers/mod.ts";
import {
  Concat,
  Identity,
  OnnxFlatten,
  OnnxSoftmax,
  PaddedMaxPool2d,
  Reshape,
} from "./graph_layers.ts";
import type { OnnxAttribute, OnnxNode, OnnxTensor } from "./model_proto.ts";
import { floatTensor, intTensor } from "./tensor_data.ts";

/** What a converter knows about its node. */
export interface NodeContext {
  /** The node. */
  node: OnnxNode;
  /** The file, for errors. */
  source: string;
  /** `node 3 "name" (op Conv)`, for errors. */
  where: string;
  /** Version of the standard operator set. */
  opset: number;
  /** Element type of the parameters built. */
  dtype: DType;
  /** The initializer feeding input `index`, if it is one. */
  initializer(index: number): OnnxTensor | undefined;
}

/** Builds the layer of one node. */
export type Converter = (context: NodeContext) => Module;

/** Reads attributes of a node, refusing values Inkling cannot honour. */
class Attributes {
  private readonly byName: Map<string, OnnxAttribute>;
  constructor(private readonly context: NodeContext) {
    this.byName = new Map((context.node.attribute ?? []).map((a) => [a.name ?? "", a]));
  }
  fail(what: string): FormatError {
    return new FormatError(`${this.context.source}: ${this.context.where}: ${what}`);
  }
  int(name: string, fallback: number): number {
    const a = this.byName.get(name);
    return a?.i ?? fallback;
  }
  float(name: string, fallback: number): number {
    return this.byName.get(name)?.f ?? fallback;
  }
  ints(name: string, fallback: number[]): number[] {
    return this.byName.get(name)?.ints ?? fallback;
  }
  string(name: string): string | undefined {
    const s = this.byName.get(name)?.s;
    return s ? new TextDecoder().decode(s) : undefined;
  }
  /** All entries of `name` equal (one square/symmetric value), else an error. */
  same(name: string, values: number[], what: string): number {
    if (values.length === 0 || values.some((v) => v !== values[0])) {
      throw this.fail(`${name} [${values.slice(0, 8)}] is not supported (${what})`);
    }
    return values[0];
  }
  /** Refuses `auto_pad` other than NOTSET and dilations other than 1. */
  plainWindow(): void {
    const autoPad = this.string("auto_pad");
    if (autoPad !== undefined && autoPad !== "NOTSET") {
      throw this.fail(`auto_pad ${JSON.stringify(autoPad.slice(0, 20))} is not supported`);
    }
    if (this.ints("dilations", []).some((d) => d !== 1)) {
      throw this.fail("dilated windows are not supported");
    }
  }
  /** Square 2-D window: kernel side, stride and the four pads. */
  window(defaultStride?: number) {
    this.plainWindow();
    const shape = this.ints("kernel_shape", []);
    if (shape.length !== 2) throw this.fail("only 2-D windows (kernel_shape of 2) are supported");
    const kernel = this.same("kernel_shape", shape, "square windows only");
    if (!(kernel >= 1 && kernel <= 4096)) throw this.fail(`kernel ${kernel} is out of range`);
    const stride = this.same(
      "strides",
      this.ints("strides", [defaultStride ?? 1, 1]),
      "one stride",
    );
    if (!(stride >= 1 && stride <= 4096)) throw this.fail(`stride ${stride} is out of range`);
    const pads = this.ints("pads", [0, 0, 0, 0]);
    if (pads.length !== 4 || pads.some((p) => !(p >= 0 && p < kernel))) {
      throw this.fail(`pads [${pads.slice(0, 8)}] must be four values from 0 to ${kernel - 1}`);
    }
    return { kernel, stride, pads: pads as [number, number, number, number] };
  }
}

/** The float weight at input `index`, with its dims; an error if it is not an initializer. */
function weight(context: NodeContext, index: number, what: string) {
  const tensor = context.initializer(index);
  if (!tensor) {
    throw new FormatError(
      `${context.source}: ${context.where}: the ${what} must be an initializer (a constant)`,
    );
  }
  return floatTensor(tensor, context);
}

/** Copies `data` into a parameter after checking its extents against `dims`. */
function fill(
  target: Tensor,
  dims: number[],
  data: Float32Array,
  fail: (what: string) => FormatError,
): void {
  if (dims.length !== target.shape.length || dims.some((d, i) => d !== target.shape[i])) {
    throw fail(`weight dims [${dims}] do not fit [${target.shape}]`);
  }
  target.data.set(data);
}

const conv: Converter = (context) => {
  const attributes = new Attributes(context);
  if (attributes.int("group", 1) !== 1) {
    throw attributes.fail("grouped convolution is not supported");
  }
  const { kernel, stride, pads } = attributes.window();
  const padding = attributes.same("pads", pads, "symmetric padding only");
  const w = weight(context, 1, "weight");
  if (w.dims.length !== 4 || w.dims[2] !== kernel || w.dims[3] !== kernel) {
    throw attributes.fail(`weight dims [${w.dims}] do not fit kernel_shape ${kernel}×${kernel}`);
  }
  const hasBias = (context.node.input?.[2] ?? "") !== "";
  const layer = new Conv2d({ in: w.dims[1], out: w.dims[0] }, kernel, {
    stride,
    padding,
    bias: hasBias,
    dtype: context.dtype,
    rng: new Rng(0),
  });
  const fail = (what: string) => attributes.fail(what);
  fill(layer.weight, w.dims, w.data, fail);
  if (hasBias) {
    const b = weight(context, 2, "bias");
    fill(layer.bias!, b.dims, b.data, fail);
  }
  return layer;
};

const maxPool: Converter = (context) => {
  const attributes = new Attributes(context);
  if (attributes.int("storage_order", 0) !== 0) {
    throw attributes.fail("storage_order 1 is not supported");
  }
  if ((context.node.output ?? []).length > 1) {
    throw attributes.fail("the Indices output is not supported");
  }
  const { kernel, stride, pads } = attributes.window();
  const ceilMode = attributes.int("ceil_mode", 0) === 1;
  if (!ceilMode && pads.every((p) => p === pads[0])) {
    return new MaxPool2d(kernel, { stride, padding: pads[0] });
  }
  return new PaddedMaxPool2d(kernel, { stride, pads, ceilMode });
};

const averagePool: Converter = (context) => {
  const attributes = new Attributes(context);
  const { kernel, stride, pads } = attributes.window();
  const padding = attributes.same("pads", pads, "symmetric padding only");
  if (attributes.int("ceil_mode", 0) !== 0) throw attributes.fail("ceil_mode 1 is not supported");
  if (padding > 0 && attributes.int("count_include_pad", 0) !== 1) {
    throw attributes.fail(
      "padding that the average leaves out (count_include_pad 0) is not supported",
    );
  }
  return new AvgPool2d(kernel, { stride, padding });
};

const gemm: Converter = (context) => {
  const attributes = new Attributes(context);
  if (attributes.int("transA", 0) !== 0) throw attributes.fail("transA 1 is not supported");
  if (attributes.float("alpha", 1) !== 1 || attributes.float("beta", 1) !== 1) {
    throw attributes.fail("alpha and beta other than 1 are not supported");
  }
  const w = weight(context, 1, "weight");
  if (w.dims.length !== 2) throw attributes.fail(`weight dims [${w.dims}] are not 2-D`);
  const transposed = attributes.int("transB", 0) === 1;
  const [inputs, outputs] = transposed ? [w.dims[1], w.dims[0]] : w.dims;
  const hasBias = (context.node.input?.[2] ?? "") !== "";
  const layer = new Linear(inputs, outputs, {
    bias: hasBias,
    dtype: context.dtype,
    rng: new Rng(0),
  });
  const data = transposed ? transpose(w.data, outputs, inputs) : w.data;
  fill(layer.weight, [inputs, outputs], data, (what) => attributes.fail(what));
  if (hasBias) {
    const b = weight(context, 2, "bias");
    fill(
      layer.bias!,
      b.dims.length === 2 && b.dims[0] === 1 ? [b.dims[1]] : b.dims,
      b.data,
      (what) => attributes.fail(what),
    );
  }
  return layer;
};

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  }
  return out;
}

const softmaxNode: Converter = (context) => {
  const legacy = context.opset < 13;
  return new OnnxSoftmax(new Attributes(context).int("axis", legacy ? 1 : -1), { legacy });
};

const flatten: Converter = (context) => {
  const axis = new Attributes(context).int("axis", 1);
  return axis === 1 ? new Flatten() : new OnnxFlatten(axis);
};

const reshapeNode: Converter = (context) => {
  const attributes = new Attributes(context);
  if (attributes.int("allowzero", 0) !== 0) throw attributes.fail("allowzero 1 is not supported");
  const shapeTensor = context.initializer(1);
  if (!shapeTensor) throw attributes.fail("the target shape must be an initializer (a constant)");
  const shape = intTensor(shapeTensor, context);
  if (shape.length > 8 || shape.some((d) => !(d >= -1 && d <= 2 ** 31))) {
    throw attributes.fail(`target shape [${shape.slice(0, 8)}] is not supported`);
  }
  return new Reshape(shape);
};

const dropoutNode: Converter = (context) => {
  const attributes = new Attributes(context);
  const ratio = context.opset >= 12
    ? (context.initializer(1) ? floatTensor(context.initializer(1)!, context).data[0] ?? 0.5 : 0.5)
    : attributes.float("ratio", 0.5);
  if (!(ratio >= 0 && ratio < 1)) throw attributes.fail(`ratio ${ratio} is not in [0, 1)`);
  return new Dropout(ratio, { rng: new Rng(0) });
};

/**
 * Inference-mode BatchNormalization: scale, bias, mean and variance become
 * a {@linkcode BatchNorm}'s weight, bias and running statistics. ONNX's
 * momentum weighs the old running value, PyTorch's and Inkling's the batch.
 */
const batchNormalization: Converter = (context) => {
  const attributes = new Attributes(context);
  if (attributes.int("training_mode", 0) !== 0 || (context.node.output ?? []).length > 1) {
    throw attributes.fail(
      "training-mode BatchNormalization (statistics as outputs) is not supported",
    );
  }
  const epsilon = attributes.float("epsilon", 1e-5);
  const momentum = attributes.float("momentum", 0.9);
  if (!(epsilon > 0 && epsilon < 1) || !(momentum >= 0 && momentum < 1)) {
    throw attributes.fail(`epsilon ${epsilon} or momentum ${momentum} is out of range`);
  }
  const names = ["scale", "bias", "mean", "variance"] as const;
  const [scale, ...rest] = names.map((what, i) => weight(context, i + 1, what));
  if (scale.dims.length !== 1) throw attributes.fail(`scale dims [${scale.dims}] are not 1-D`);
  const layer = new BatchNorm(scale.dims[0], {
    eps: epsilon,
    momentum: 1 - momentum,
    dtype: context.dtype,
  });
  const fail = (what: string) => attributes.fail(what);
  const targets = [layer.weight, layer.bias, layer.runningMean, layer.runningVar];
  [scale, ...rest].forEach((w, i) => fill(targets[i], w.dims, w.data, fail));
  return layer;
};

/** The converter of every supported standard op, by op type. */
export const CONVERTERS: Readonly<Record<string, Converter>> = {
  Conv: conv,
  Relu: () => new ReLU(),
  Sigmoid: () => new Sigmoid(),
  Tanh: () => new Tanh(),
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: () => new Sequential(new GlobalAvgPool2d(), new Reshape([0, 0, 1, 1])),
  Concat: (context) => new Concat(new Attributes(context).int("axis", 1)),
  Dropout: dropoutNode,
  Softmax: softmaxNode,
  Flatten: flatten,
  Gemm: gemm,
  Reshape: reshapeNode,
  Identity: () => new Identity(),
  BatchNormalization: batchNormalization,
};
