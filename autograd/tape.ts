/**
 * The tape: every op run on tensors that require gradients appends a
 * {@linkcode TapeNode} holding its inputs and its backward rule. Nodes are
 * numbered in the order they ran, so `backward()` can replay the part of the
 * tape reachable from the output in reverse order, then release it.
 *
 * @module
 */

import { AutogradError } from "./errors.ts";
import { kernels } from "./kernels/backend.ts";
import { sameShape, showShape } from "./shape.ts";
import { allocate, type BackwardOptions, Tensor } from "./tensor.ts";

/** Backward rule of one op: output gradient in, one gradient (or null) per input out. */
export type BackwardRule = (grad: Tensor) => readonly (Tensor | null)[];

/** One recorded op. */
export interface TapeNode {
  /** Position on the tape (later ops have larger ids). */
  readonly id: number;
  /** Op name, for error messages. */
  readonly op: string;
  /** The op's tensor inputs (emptied once backward has used the node). */
  inputs: readonly Tensor[];
  /** How to turn the output gradient into input gradients (null once released). */
  backward: BackwardRule | null;
  /** The output tensor if it asked to keep its gradient (retainGrad). */
  retained: Tensor | null;
}

let nextId = 0;
let gradDepth = 0;

/** Whether ops are currently recorded (false inside {@linkcode noGrad}). */
export function isGradEnabled(): boolean {
  return gradDepth === 0;
}

/**
 * Runs `fn` without recording anything on the tape (evaluation, optimizer
 * updates, backward rules themselves). Nests; returns what `fn` returns.
 */
export function noGrad<T>(fn: () => T): T {
  gradDepth++;
  try {
    return fn();
  } finally {
    gradDepth--;
  }
}

/**
 * Records `output = op(inputs)` on the tape when gradients are enabled and an
 * input requires one; returns `output` for chaining.
 */
export function record(
  op: string,
  inputs: readonly Tensor[],
  output: Tensor,
  backward: BackwardRule,
): Tensor {
  if (gradDepth === 0 && inputs.some((t) => t.requiresGrad)) {
    output.requiresGrad = true;
    output.node = { id: nextId++, op, inputs, backward, retained: null };
  }
  return output;
}

/** Implementation of {@linkcode Tensor.backward}. */
export function runBackward(root: Tensor, seed: Tensor | undefined, options: BackwardOptions) {
  if (!root.requiresGrad) {
    throw new AutogradError(
      "backward: this tensor does not require grad (no input had requiresGrad: true, or it was computed under noGrad)",
    );
  }
  const grad = seed ?? scalarSeed(root);
  if (!sameShape(grad.shape, root.shape) || grad.dtype !== root.dtype) {
    throw new AutogradError(
      `backward: seed ${grad.dtype} ${showShape(grad.shape)} does not match output ${root.dtype} ${
        showShape(root.shape)
      }`,
    );
  }
  if (!root.node) {
    root.grad = accumulate(root.grad, grad);
    return;
  }
  const grads = new Map<TapeNode, Tensor>([[root.node, grad]]);
  noGrad(() => {
    for (const node of reachable(root.node!)) {
      const g = grads.get(node);
      if (!g) continue;
      grads.delete(node);
      if (node.retained) node.retained.grad = accumulate(node.retained.grad, g);
      if (node.backward === null) {
        throw new AutogradError(
          `backward: the graph through ${node.op} was released by an earlier backward(); pass { retainGraph: true } to the first call`,
        );
      }
      const inputGrads = node.backward(g);
      node.inputs.forEach((input, i) => {
        const gi = inputGrads[i];
        if (!gi || !input.requiresGrad) return;
        if (!sameShape(gi.shape, input.shape)) {
          throw new AutogradError(
            `backward of ${node.op}: gradient ${showShape(gi.shape)} for input ${i} of shape ${
              showShape(input.shape)
            }`,
          );
        }
        if (input.node) grads.set(input.node, accumulate(grads.get(input.node) ?? null, gi));
        else input.grad = accumulate(input.grad, gi);
      });
      if (!options.retainGraph) {
        node.backward = null;
        node.inputs = [];
      }
    }
  });
}

function scalarSeed(root: Tensor): Tensor {
  if (root.size !== 1) {
    throw new AutogradError(
      `backward: output has shape ${
        showShape(root.shape)
      }; pass a seed gradient of that shape, or reduce the output to a scalar first`,
    );
  }
  const one = allocate(root.dtype, 1);
  one[0] = 1;
  return new Tensor(one, root.shape);
}

/** Nodes reachable from `start`, latest first: the tape in reverse. */
function reachable(start: TapeNode): TapeNode[] {
  const seen = new Set<TapeNode>([start]);
  const stack = [start];
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const input of node.inputs) {
      if (input.node && !seen.has(input.node)) {
        seen.add(input.node);
        stack.push(input.node);
      }
    }
  }
  return [...seen].sort((a, b) => b.id - a.id);
}

/** a + b without touching either (gradients are shared, never mutated). */
function accumulate(a: Tensor | null, b: Tensor): Tensor {
  if (a === null) return b;
  const out = allocate(a.dtype, a.size);
  kernels().binary("add", { a: a.data, b: b.data, out });
  return new Tensor(out, a.shape);
}
