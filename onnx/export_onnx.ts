/**
 * Inkling network → ONNX model: {@linkcode exportOnnx} writes a module's
 * layers as ONNX nodes (opset 13 by default) and its parameters as float32
 * initializers. The graph's input is what the network's `forward` takes,
 * with a free batch axis (`batch`); its output is the network's output
 * (the logits of a classifier). The network is run once on a zero batch, in
 * evaluation mode, to check that it accepts the declared input and to
 * declare the output's shape; its training mode is restored afterwards.
 *
 * @module
 */

import { InklingError, noGrad, zeros } from "../autograd/mod.ts";
import type { Module } from "../layers/mod.ts";
import { encodeOnnx } from "./codec.ts";
import { lowerLayer, OnnxBuilder } from "./export_layers.ts";
import { ONNX_DTYPE, type OnnxModel, type OnnxValueInfo } from "./model_proto.ts";

/** Lowest and highest opset Inkling writes (Softmax's meaning changed at 13). */
export const OPSET_RANGE = { min: 13, max: 21 } as const;

/** Options of {@linkcode exportOnnx}. */
export interface ExportOnnxOptions {
  /** Shape of one example, without the batch axis: `[1024]` for glyph rows, `[3, 224, 224]` for images. */
  inputShape: readonly number[];
  /** Operator set version (default 13). */
  opset?: number;
  /** Name of the graph input (default "input"). */
  inputName?: string;
  /** Name of the graph output (default "logits"). */
  outputName?: string;
  /** Graph name (default "inkling"). */
  graphName?: string;
  /** Free text stored in the model (e.g. the class names). */
  docString?: string;
}

/** A float32 tensor type with a free first extent named `batch`. */
function batched(name: string, shape: readonly number[]): OnnxValueInfo {
  const dim = [{ dim_param: "batch" }, ...shape.map((d) => ({ dim_value: d }))];
  return { name, type: { tensor_type: { elem_type: ONNX_DTYPE.FLOAT, shape: { dim } } } };
}

/** Every module below `root` (itself included) with its training flag. */
function modes(root: Module): [Module, boolean][] {
  return [[root, root.training], ...root.children().flatMap(([, child]) => modes(child))];
}

/** The ONNX model of `module` (see the module doc); {@linkcode exportOnnx} gives its bytes. */
export function toOnnxModel(module: Module, options: ExportOnnxOptions): OnnxModel {
  const opset = options.opset ?? OPSET_RANGE.min;
  if (!(Number.isInteger(opset) && opset >= OPSET_RANGE.min && opset <= OPSET_RANGE.max)) {
    throw new InklingError(
      `exportOnnx: opset ${opset} is not one Inkling writes (${OPSET_RANGE.min} to ${OPSET_RANGE.max})`,
    );
  }
  const shape = [...options.inputShape];
  if (shape.some((d) => !(Number.isInteger(d) && d >= 1))) {
    throw new InklingError(`exportOnnx: inputShape [${shape}] needs positive whole extents`);
  }
  const saved = modes(module);
  let outputShape: number[];
  try {
    module.eval();
    outputShape = [...noGrad(() => module.forward(zeros([1, ...shape]))).shape];
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InklingError(
      `exportOnnx: the network does not accept input [batch, ${shape}] (${reason.slice(0, 200)})`,
    );
  } finally {
    for (const [m, training] of saved) m.training = training;
  }
  const inputName = options.inputName ?? "input";
  const outputName = options.outputName ?? "logits";
  const builder = new OnnxBuilder();
  builder.fresh(inputName);
  builder.fresh(outputName);
  const last = lowerLayer(module, inputName, builder, "");
  if (last === inputName) {
    builder.nodes.push({ op_type: "Identity", input: [last], output: [outputName] });
  }
  for (const node of builder.nodes) {
    node.input = node.input?.map((n) => (n === last && last !== inputName ? outputName : n));
    node.output = node.output?.map((n) => (n === last ? outputName : n));
  }
  return {
    ir_version: 8,
    opset_import: [{ domain: "", version: opset }],
    producer_name: "inkling",
    graph: {
      name: options.graphName ?? "inkling",
      node: builder.nodes,
      initializer: builder.initializers,
      input: [batched(inputName, shape)],
      output: [batched(outputName, outputShape[0] === 1 ? outputShape.slice(1) : outputShape)],
      ...(options.docString ? { doc_string: options.docString } : {}),
    },
  };
}

/**
 * The bytes of an `.onnx` file computing `module` (see the module doc):
 * run it with onnxruntime anywhere (Node, Python, a browser through
 * onnxruntime-web, a server).
 */
export function exportOnnx(module: Module, options: ExportOnnxOptions): Uint8Array {
  return encodeOnnx(toOnnxModel(module, options));
}
