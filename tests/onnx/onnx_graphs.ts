/**
 * Small ONNX models built in code for the tests: a branching graph with
 * every op the importer supports, in a few lines each.
 */

import { Rng } from "../../autograd/rng.ts";
import {
  ATTRIBUTE_TYPE,
  type OnnxAttribute,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
} from "../../onnx/model_proto.ts";
import { float32Tensor } from "../../onnx/tensor_data.ts";

/** An INTS attribute. */
export const ints = (name: string, values: number[]): OnnxAttribute => ({
  name,
  type: ATTRIBUTE_TYPE.INTS,
  ints: values,
});
/** An INT attribute. */
export const int = (name: string, value: number): OnnxAttribute => ({
  name,
  type: ATTRIBUTE_TYPE.INT,
  i: value,
});

/** A node writing `output` from `input`. */
export function node(
  op: string,
  input: string[],
  output: string,
  attribute: OnnxAttribute[] = [],
): OnnxNode {
  return { op_type: op, name: output, input, output: [output], attribute };
}

/** Random float32 weights of `dims`, in [−0.5, 0.5]. */
export function weights(name: string, dims: number[], rng: Rng): OnnxTensor {
  const size = dims.reduce((p, d) => p * d, 1);
  return float32Tensor(name, dims, Array.from({ length: size }, () => rng.uniform(-0.5, 0.5)));
}

/** A model of `nodes` and `initializers` reading `x` [N, ...shape] and writing `output`. */
export function model(
  nodes: OnnxNode[],
  initializers: OnnxTensor[],
  options: { shape: number[]; output: string; opset?: number },
): OnnxModel {
  const dim = options.shape.map((d) => ({ dim_value: d }));
  return {
    ir_version: 7,
    opset_import: [{ domain: "", version: options.opset ?? 13 }],
    graph: {
      name: "test",
      node: nodes,
      initializer: initializers,
      input: [{ name: "x", type: { tensor_type: { elem_type: 1, shape: { dim } } } }],
      output: [{ name: options.output, type: { tensor_type: { elem_type: 1 } } }],
    },
  };
}

/**
 * A fire-module-like DAG over [1, 2, 7, 7]: conv (stride 2) → relu → two
 * branches (1×1 conv; 3×3 conv padded) → concat → ceil-mode max pool with
 * asymmetric pads → conv → global average pool → softmax (opset 7's
 * flatten-at-axis meaning when `opset` < 13).
 */
export function branchingModel(options: { opset?: number; seed?: number } = {}): OnnxModel {
  const rng = new Rng(options.seed ?? 5);
  const nodes = [
    node("Conv", ["x", "w1", "b1"], "c1", [
      ints("kernel_shape", [3, 3]),
      ints("strides", [2, 2]),
      ints("pads", [1, 1, 1, 1]),
    ]),
    node("Relu", ["c1"], "r1"),
    node("Conv", ["r1", "wa"], "a", [ints("kernel_shape", [1, 1])]),
    node("Conv", ["r1", "wb", "bb"], "b", [
      ints("kernel_shape", [3, 3]),
      ints("pads", [1, 1, 1, 1]),
    ]),
    node("Concat", ["a", "b"], "cat", [int("axis", 1)]),
    node("MaxPool", ["cat"], "pool", [
      ints("kernel_shape", [2, 2]),
      ints("strides", [2, 2]),
      ints("pads", [1, 0, 0, 1]),
      int("ceil_mode", 1),
    ]),
    node("Conv", ["pool", "w2", "b2"], "c2", [ints("kernel_shape", [1, 1])]),
    node("GlobalAveragePool", ["c2"], "gap"),
    node("Softmax", ["gap"], "p", [int("axis", 1)]),
  ];
  const initializers = [
    weights("w1", [4, 2, 3, 3], rng),
    weights("b1", [4], rng),
    weights("wa", [3, 4, 1, 1], rng),
    weights("wb", [3, 4, 3, 3], rng),
    weights("bb", [3], rng),
    weights("w2", [5, 6, 1, 1], rng),
    weights("b2", [5], rng),
  ];
  return model(nodes, initializers, { shape: [1, 2, 7, 7], output: "p", opset: options.opset });
}
