/**
 * ONNX graph → Inkling network: {@linkcode importOnnx} turns each node into
 * the layer its converter builds (`node_converters.ts`) and wires them into a
 * {@linkcode GraphModule}. Weights become parameters (float16 and float64
 * initializers are converted to float32, or to float64 with `dtype`), so
 * the imported network runs, fine-tunes and gradchecks like one built by
 * hand. A node whose op, attributes or weights Inkling cannot honour gives a
 * {@linkcode FormatError} naming the file, the node and the op.
 *
 * @module
 */

import { type DType, FormatError } from "../autograd/mod.ts";
import { decodeOnnx } from "./codec.ts";
import { GraphModule, type StepWiring } from "./graph_module.ts";
import type { OnnxModel, OnnxNode, OnnxTensor } from "./model_proto.ts";
import { CONVERTERS, type NodeContext } from "./node_converters.ts";
import { nodesNeeded } from "./surgery.ts";
import type { Module } from "../layers/mod.ts";

/** Options of {@linkcode importOnnx}. */
export interface ImportOnnxOptions {
  /** Names the model in errors (default "model.onnx"). */
  source?: string;
  /** Element type of the parameters (default float32; float64 for gradcheck). */
  dtype?: DType;
  /** The tensor `forward` returns (default: the graph's first output). */
  output?: string;
}

/** The ops {@linkcode importOnnx} supports. */
export const SUPPORTED_ONNX_OPS: readonly string[] = Object.keys(CONVERTERS);

/** Operators whose inputs are all data; every other op reads data at input 0 only. */
const ALL_DATA = new Set(["Concat"]);

/** The version of the standard operator set the model imports. */
export function standardOpset(onnx: OnnxModel): number {
  const entry = onnx.opset_import?.find((o) => !o.domain || o.domain === "ai.onnx");
  return entry?.version ?? 1;
}

function describe(node: OnnxNode, index: number): string {
  const name = node.name ? ` ${JSON.stringify(node.name.slice(0, 60))}` : "";
  return `node ${index}${name} (op ${(node.op_type ?? "").slice(0, 40)})`;
}

/**
 * Builds the Inkling network of an ONNX model (decoded, or the bytes of a
 * `.onnx` file). Nodes that the chosen output does not depend on are left
 * out. The network has one input: the graph input that is not an
 * initializer.
 */
export function importOnnx(
  model: OnnxModel | Uint8Array,
  options: ImportOnnxOptions = {},
): GraphModule {
  const source = options.source ?? "model.onnx";
  const onnx = model instanceof Uint8Array ? decodeOnnx(model, { source }) : model;
  const fail = (what: string) => new FormatError(`${source}: ${what}`);
  const graph = onnx.graph;
  if (!graph) throw fail("not an ONNX model (no graph)");
  const initializers = new Map<string, OnnxTensor>();
  for (const t of graph.initializer ?? []) initializers.set(t.name ?? "", t);
  const inputs = (graph.input ?? []).map((v) => v.name ?? "").filter((n) => !initializers.has(n));
  if (inputs.length !== 1) {
    throw fail(
      `the graph has ${inputs.length} data inputs; Inkling imports graphs with exactly one`,
    );
  }
  const output = options.output ?? graph.output?.[0]?.name ?? "";
  const nodes = graph.node ?? [];
  const opset = standardOpset(onnx);
  const available = new Set([inputs[0]]);
  const weights = new Set<string>();
  const steps: { layer: Module; wiring: StepWiring }[] = [];
  for (const index of nodesNeeded(nodes, [output])) {
    const node = nodes[index];
    const where = describe(node, index);
    const op = node.op_type ?? "";
    const convert = CONVERTERS[op];
    if ((node.domain && node.domain !== "ai.onnx") || !convert) {
      throw fail(
        `${where} is not supported${node.domain ? ` (domain ${node.domain.slice(0, 40)})` : ""}; ` +
          `Inkling imports ${SUPPORTED_ONNX_OPS.join(", ")}`,
      );
    }
    const names = node.input ?? [];
    const data = ALL_DATA.has(op) ? names : names.slice(0, 1);
    if (data.length === 0) throw fail(`${where} has no input`);
    for (const name of data) {
      if (!available.has(name)) {
        throw fail(
          `${where} reads ${JSON.stringify(name.slice(0, 60))}, which no earlier node writes` +
            (initializers.has(name) ? " (it is a constant; Inkling needs a computed input)" : ""),
        );
      }
    }
    const context: NodeContext = {
      node,
      source,
      where,
      opset,
      dtype: options.dtype ?? "float32",
      initializer: (i) => (names[i] ? initializers.get(names[i]) : undefined),
    };
    for (const name of names.slice(data === names ? names.length : 1)) {
      if (!name) continue;
      if (weights.has(name)) {
        throw fail(
          `${where} reads the initializer ${JSON.stringify(name.slice(0, 60))} that ` +
            "another node reads too; Inkling imports each weight into one layer",
        );
      }
      weights.add(name);
    }
    const layer = convert(context);
    const written = node.output![0];
    available.add(written);
    steps.push({ layer, wiring: { inputs: data, output: written, label: where } });
  }
  if (!available.has(output)) {
    throw fail(`no node writes the output ${JSON.stringify(output.slice(0, 60))}`);
  }
  return new GraphModule(steps, { input: inputs[0], output });
}
