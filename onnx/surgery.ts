/**
 * Graph surgery: {@linkcode cutOnnx} makes a model whose outputs are
 * tensors inside another model (e.g. SqueezeNet's last fire module,
 * `fire9/concat_1`, for features), keeping only the nodes, weights and
 * inputs those tensors depend on, so onnxruntime computes nothing more.
 *
 * @module
 */

import { FormatError } from "../autograd/errors.ts";
import type { OnnxModel, OnnxNode, OnnxValueInfo } from "./model_proto.ts";

/** Indices (in graph order) of the nodes the tensors `outputs` depend on. */
export function nodesNeeded(nodes: readonly OnnxNode[], outputs: readonly string[]): number[] {
  const producer = new Map<string, number>();
  nodes.forEach((node, i) => node.output?.forEach((name) => producer.set(name, i)));
  const keep = new Set<number>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const at = producer.get(stack.pop()!);
    if (at === undefined || keep.has(at)) continue;
    keep.add(at);
    stack.push(...(nodes[at].input ?? []).filter((name) => name !== ""));
  }
  return [...keep].sort((a, b) => a - b);
}

/**
 * A copy of `onnx` cut at `tensors` (one name or several): they become the
 * graph's outputs and every node, initializer and input they do not depend
 * on is dropped. Each tensor must be written by a node; its declared type is
 * taken from the model's `value_info` when present, else the element type
 * of the graph's first input with the shape left free. `options.source`
 * names the model in errors.
 */
export function cutOnnx(
  onnx: OnnxModel,
  tensors: string | readonly string[],
  options: { source?: string } = {},
): OnnxModel {
  const source = options.source ?? "model.onnx";
  const names = typeof tensors === "string" ? [tensors] : [...tensors];
  const graph = onnx.graph ?? {};
  const nodes = graph.node ?? [];
  const written = new Set(nodes.flatMap((n) => n.output ?? []));
  for (const name of names) {
    if (!written.has(name)) {
      const some = nodes.slice(-3).flatMap((n) => n.output ?? []).join(", ");
      throw new FormatError(
        `${source}: no node writes ${
          JSON.stringify(name.slice(0, 60))
        } (the last ones write ${some})`,
      );
    }
  }
  const kept = nodesNeeded(nodes, names).map((i) => nodes[i]);
  const read = new Set(kept.flatMap((n) => n.input ?? []));
  const known = new Map<string, OnnxValueInfo>();
  for (const v of [...(graph.value_info ?? []), ...(graph.output ?? [])]) {
    known.set(v.name ?? "", v);
  }
  const elemType = graph.input?.find((v) => read.has(v.name ?? ""))?.type?.tensor_type?.elem_type;
  const outputs = names.map((name): OnnxValueInfo =>
    known.get(name) ?? { name, type: { tensor_type: { elem_type: elemType ?? 1 } } }
  );
  return {
    ...onnx,
    graph: {
      ...graph,
      node: kept,
      initializer: (graph.initializer ?? []).filter((t) => read.has(t.name ?? "")),
      input: (graph.input ?? []).filter((v) => read.has(v.name ?? "")),
      output: outputs,
      value_info: (graph.value_info ?? []).filter((v) => !names.includes(v.name ?? "")),
    },
  };
}
