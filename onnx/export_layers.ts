/**
 * Inkling layers → ONNX nodes: {@linkcode lowerLayer} writes the nodes and
 * initializers of one layer (recursively for Sequential and imported
 * graphs) into an {@linkcode OnnxBuilder}. Linear becomes Gemm, Conv2d Conv,
 * BatchNorm BatchNormalization (its running statistics: export is for
 * inference), the pools MaxPool / AveragePool / GlobalAveragePool (+ Flatten, as Inkling's
 * global pool drops the 1×1), activations their ONNX ops, Flatten and the
 * glyph CNN's reshape Flatten / Reshape; Dropout and Identity add nothing
 * (at inference they pass their input through).
 *
 * @module
 */

import { InklingError, type Tensor } from "../autograd/mod.ts";
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
  Softmax,
  Tanh,
} from "../layers/mod.ts";
import { GlyphImages } from "../models/mod.ts";
import {
  Concat,
  Identity,
  OnnxFlatten,
  OnnxSoftmax,
  PaddedMaxPool2d,
  Reshape,
} from "./graph_layers.ts";
import { GraphModule } from "./graph_module.ts";
import {
  ATTRIBUTE_TYPE,
  type OnnxAttribute,
  type OnnxNode,
  type OnnxTensor,
} from "./model_proto.ts";
import { float32Tensor, int64Tensor } from "./tensor_data.ts";

/** The layer kinds {@linkcode lowerLayer} writes, for error messages. */
export const EXPORTED_LAYERS: string =
  "Sequential, Linear, Conv2d, BatchNorm, MaxPool2d, AvgPool2d, GlobalAvgPool2d, ReLU, Sigmoid, " +
  "Tanh, " +
  "Softmax, Flatten, Dropout, the glyph CNN's GlyphImages and imported ONNX graphs";

/** Collects the nodes and initializers of a graph being written. */
export class OnnxBuilder {
  /** Nodes, in order. */
  readonly nodes: OnnxNode[] = [];
  /** Weights and constants. */
  readonly initializers: OnnxTensor[] = [];
  private readonly used = new Set<string>();

  /** A tensor name not used before, from `base`. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node of `op` reading `inputs`; returns its output's name. */
  node(op: string, inputs: string[], where: string, attributes: OnnxAttribute[] = []): string {
    const output = this.fresh(`${where}/${op}`);
    this.nodes.push({
      op_type: op,
      name: output,
      input: inputs,
      output: [output],
      attribute: attributes,
    });
    return output;
  }

  /** Adds a float32 initializer holding `tensor`; returns its name. */
  weight(name: string, tensor: Tensor): string {
    const unique = this.fresh(name);
    this.initializers.push(float32Tensor(unique, tensor.shape, tensor.data));
    return unique;
  }

  /** Adds an int64 vector initializer; returns its name. */
  ints(name: string, values: readonly number[]): string {
    const unique = this.fresh(name);
    this.initializers.push(int64Tensor(unique, values));
    return unique;
  }
}

/** ONNX ops of the activations a Linear layer can fuse. */
const ONNX_ACTIVATION = { sigmoid: "Sigmoid", tanh: "Tanh", relu: "Relu" } as const;

const ints = (name: string, values: number[]): OnnxAttribute => ({
  name,
  type: ATTRIBUTE_TYPE.INTS,
  ints: values,
});
const float = (name: string, value: number): OnnxAttribute => ({
  name,
  type: ATTRIBUTE_TYPE.FLOAT,
  f: value,
});
const int = (name: string, value: number): OnnxAttribute => ({
  name,
  type: ATTRIBUTE_TYPE.INT,
  i: value,
});

/** A pool's attributes: square kernel, stride, symmetric or explicit pads. */
function pool(kernel: number, stride: number, pads: number[]): OnnxAttribute[] {
  return [
    ints("kernel_shape", [kernel, kernel]),
    ints("strides", [stride, stride]),
    ints("pads", pads),
  ];
}

/**
 * Writes `layer` reading tensor `input` into `builder`; returns the name of
 * its output. `where` names the layer (its state-dict prefix) in node and
 * weight names and in errors.
 */
export function lowerLayer(
  layer: Module,
  input: string,
  builder: OnnxBuilder,
  where: string,
): string {
  const at = (suffix: string) => (where ? `${where}.${suffix}` : suffix);
  if (layer instanceof Sequential) {
    return layer.layers.reduce(
      (x, child, i) => lowerLayer(child, x, builder, at(`layers.${i}`)),
      input,
    );
  }
  if (layer instanceof GraphModule) return lowerGraph(layer, input, builder, at("steps"));
  if (layer instanceof Dropout || layer instanceof Identity) return input;
  if (layer instanceof Linear) {
    const inputs = [input, builder.weight(at("weight"), layer.weight)];
    if (layer.bias) inputs.push(builder.weight(at("bias"), layer.bias));
    const product = builder.node("Gemm", inputs, where);
    // A fused activation (Linear's `activation` option) becomes its own node.
    return layer.activation
      ? builder.node(ONNX_ACTIVATION[layer.activation], [product], where)
      : product;
  }
  if (layer instanceof Conv2d) {
    const inputs = [input, builder.weight(at("weight"), layer.weight)];
    if (layer.bias) inputs.push(builder.weight(at("bias"), layer.bias));
    const k = layer.weight.shape[2];
    const p = layer.padding;
    return builder.node("Conv", inputs, where, pool(k, layer.stride, [p, p, p, p]));
  }
  if (layer instanceof BatchNorm) {
    const stats = [layer.weight, layer.bias, layer.runningMean, layer.runningVar];
    const names = ["weight", "bias", "runningMean", "runningVar"];
    const inputs = [input, ...stats.map((t, i) => builder.weight(at(names[i]), t))];
    // ONNX's momentum weighs the old running value; Inkling's the batch.
    return builder.node("BatchNormalization", inputs, where, [
      float("epsilon", layer.eps),
      float("momentum", 1 - layer.momentum),
    ]);
  }
  if (layer instanceof MaxPool2d || layer instanceof AvgPool2d) {
    const { kernel, stride, padding } = layer.options;
    const p = padding ?? 0;
    const attributes = pool(kernel, stride ?? kernel, [p, p, p, p]);
    if (layer instanceof MaxPool2d) return builder.node("MaxPool", [input], where, attributes);
    // Inkling's average counts padded cells as zeros.
    return builder.node("AveragePool", [input], where, [
      ...attributes,
      int("count_include_pad", 1),
    ]);
  }
  if (layer instanceof PaddedMaxPool2d) {
    const attributes = pool(layer.kernel, layer.options.stride, [...layer.options.pads]);
    attributes.push(int("ceil_mode", layer.options.ceilMode ? 1 : 0));
    return builder.node("MaxPool", [input], where, attributes);
  }
  if (layer instanceof GlobalAvgPool2d) {
    return builder.node("Flatten", [builder.node("GlobalAveragePool", [input], where)], where);
  }
  const unary = layer instanceof ReLU
    ? "Relu"
    : layer instanceof Sigmoid
    ? "Sigmoid"
    : layer instanceof Tanh
    ? "Tanh"
    : undefined;
  if (unary) return builder.node(unary, [input], where);
  if (layer instanceof Softmax) return builder.node("Softmax", [input], where, [int("axis", -1)]);
  if (layer instanceof OnnxSoftmax) return lowerSoftmax(layer, input, builder, where);
  if (layer instanceof Flatten || layer instanceof OnnxFlatten) {
    const axis = layer instanceof OnnxFlatten ? layer.axis : 1;
    return builder.node("Flatten", [input], where, [int("axis", axis)]);
  }
  if (layer instanceof Reshape || layer instanceof GlyphImages) {
    const shape = layer instanceof Reshape ? [...layer.shape] : [-1, 1, layer.size, layer.size];
    return builder.node("Reshape", [input, builder.ints(at("shape"), shape)], where);
  }
  throw new InklingError(
    `exportOnnx: ${where || "the model"} is a ${layer.constructor.name}; ONNX export covers ` +
      EXPORTED_LAYERS,
  );
}

/** ONNX Softmax at opset ≥ 13; the opset < 13 meaning as Flatten → Softmax → Reshape back. */
function lowerSoftmax(layer: OnnxSoftmax, input: string, builder: OnnxBuilder, where: string) {
  if (!layer.legacy) return builder.node("Softmax", [input], where, [int("axis", layer.axis)]);
  const shape = builder.node("Shape", [input], where);
  const rows = builder.node("Flatten", [input], where, [int("axis", layer.axis)]);
  const soft = builder.node("Softmax", [rows], where, [int("axis", 1)]);
  return builder.node("Reshape", [soft, shape], where);
}

/** An imported graph, step by step, with its tensor names mapped to the new graph's. */
function lowerGraph(graph: GraphModule, input: string, builder: OnnxBuilder, where: string) {
  const names = new Map([[graph.input, input]]);
  graph.steps.forEach((step, i) => {
    const inputs = graph.wiring[i].inputs.map((name) => names.get(name)!);
    const output = step instanceof Concat
      ? builder.node("Concat", inputs, `${where}.${i}`, [int("axis", step.axis)])
      : lowerLayer(step, inputs[0], builder, `${where}.${i}`);
    names.set(graph.wiring[i].output, output);
  });
  return names.get(graph.output)!;
}
