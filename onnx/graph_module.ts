/**
 * {@linkcode GraphModule}: a network whose layers form a directed acyclic
 * graph, as an imported ONNX model's nodes do (SqueezeNet's fire modules
 * branch and join). Each step is a layer with the names of the tensors it
 * reads and writes; `forward` runs the steps in order and drops each
 * intermediate tensor after its last reader. Parameters are named
 * `steps.<index>.<name>`, so optimizers, checkpoints and gradcheck treat it
 * as any other module.
 *
 * @module
 */

import { InklingError, type Tensor } from "../autograd/mod.ts";
import { Module } from "../layers/mod.ts";
import { MultiInputModule } from "./graph_layers.ts";

/** How one step is wired: the tensors it reads and the one it writes. */
export interface StepWiring {
  /** Names of the input tensors, in the layer's order. */
  inputs: readonly string[];
  /** Name of the output tensor. */
  output: string;
  /** Where the step came from (e.g. the ONNX node and op), for errors. */
  label: string;
}

/** A DAG of layers over named tensors, with one input and one output. */
export class GraphModule extends Module {
  /** The layers, in execution order. */
  readonly steps: Module[];
  /** How each step is wired (parallel to `steps`). */
  readonly wiring: readonly StepWiring[];
  /** Name of the graph's input tensor. */
  readonly input: string;
  /** Name of the tensor `forward` returns. */
  readonly output: string;
  /** For each step, the names whose last reader it is (freed after it runs). */
  private readonly frees: string[][];

  /**
   * Wires `steps` (each with its `wiring`) from the tensor `graph.input` to
   * `graph.output`; throws if a step reads a tensor no earlier step writes.
   */
  constructor(
    steps: readonly { layer: Module; wiring: StepWiring }[],
    graph: { input: string; output: string },
  ) {
    super();
    this.steps = steps.map((s) => s.layer);
    this.wiring = steps.map((s) => s.wiring);
    this.input = graph.input;
    this.output = graph.output;
    const written = new Set([graph.input]);
    const lastRead = new Map<string, number>();
    this.wiring.forEach((w, i) => {
      for (const name of w.inputs) {
        if (!written.has(name)) {
          throw new InklingError(`GraphModule: ${w.label} reads "${name}" before it is written`);
        }
        lastRead.set(name, i);
      }
      written.add(w.output);
    });
    if (!written.has(graph.output)) {
      throw new InklingError(`GraphModule: no step writes the output "${graph.output}"`);
    }
    lastRead.delete(graph.output);
    this.frees = this.steps.map(() => []);
    for (const [name, i] of lastRead) this.frees[i].push(name);
  }

  /** Runs every step in order; returns the output tensor. */
  forward(x: Tensor): Tensor {
    const values = new Map<string, Tensor>([[this.input, x]]);
    this.steps.forEach((layer, i) => {
      const inputs = this.wiring[i].inputs.map((name) => values.get(name)!);
      const y = layer instanceof MultiInputModule
        ? layer.forwardAll(inputs)
        : layer.forward(inputs[0]);
      for (const name of this.frees[i]) values.delete(name);
      values.set(this.wiring[i].output, y);
    });
    return values.get(this.output)!;
  }
}
