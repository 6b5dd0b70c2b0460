/**
 * Custom ops with hand-written gradients, like `torch.autograd.Function`:
 * give a forward (run without recording) and a backward that maps the output
 * gradient to one gradient per input; the tape then uses your backward.
 *
 * @module
 */

import { noGrad, record } from "./tape.ts";
import type { Tensor } from "./tensor.ts";

/** Scratch space shared by a custom op's forward and backward. */
export class OpContext {
  /** Tensors saved by forward for backward. */
  saved: Tensor[] = [];
  /** Which inputs need a gradient (skip computing the others). */
  readonly needsGrad: readonly boolean[];

  /** Created by the op wrapper for each call. */
  constructor(needsGrad: readonly boolean[]) {
    this.needsGrad = needsGrad;
  }

  /** Keeps tensors for backward. */
  save(...tensors: Tensor[]): void {
    this.saved.push(...tensors);
  }
}

/** Definition of a custom op. */
export interface CustomOpDefinition {
  /** Name shown in errors and on the tape. */
  name: string;
  /** Computes the output; runs without recording, so any ops may be used. */
  forward(ctx: OpContext, inputs: readonly Tensor[]): Tensor;
  /** Gradient of each input (or null) from the output gradient. */
  backward(ctx: OpContext, grad: Tensor): readonly (Tensor | null)[];
}

/**
 * Turns a definition into an op: `const square = defineOp({...}); square(x)`.
 *
 * @example
 * ```ts
 * const cube = defineOp({
 *   name: "cube",
 *   forward: (ctx, [x]) => { ctx.save(x); return mul(mul(x, x), x); },
 *   backward: (ctx, g) => [mul(g, mul(mul(ctx.saved[0], ctx.saved[0]), 3))],
 * });
 * ```
 */
export function defineOp(definition: CustomOpDefinition): (...inputs: Tensor[]) => Tensor {
  return (...inputs) => {
    const ctx = new OpContext(inputs.map((t) => t.requiresGrad));
    const out = noGrad(() => definition.forward(ctx, inputs));
    return record(definition.name, inputs, out, (g) => definition.backward(ctx, g));
  };
}
