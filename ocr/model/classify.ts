/**
 * Running the character classifier over crops: class probabilities for a
 * whole batch at once, and the most likely classes of one crop.
 *
 * @module
 */

import { noGrad, ShapeError, softmax, type Tensor } from "../../autograd/mod.ts";
import type { OcrModel } from "./load.ts";

/** A class and its probability. */
export interface ClassGuess {
  /** The class name (one character). */
  char: string;
  /** Its probability. */
  p: number;
}

/**
 * Class probabilities `[N, classes]` (rows sum to 1) for crops `[N, 1024]`
 * in NIST36 storage, computed in evaluation mode without the tape.
 */
export function classify(model: OcrModel, crops: Tensor): Tensor {
  if (crops.ndim !== 2) {
    throw new ShapeError(`classify: expected crops [N, 1024], got [${crops.shape.join(", ")}]`);
  }
  model.network.eval();
  return noGrad(() => softmax(model.network.forward(crops)));
}

/** The `k` most likely classes of row `row` of `probs`, most likely first. */
export function topClasses(
  probs: Tensor,
  row: number,
  options: { classes: string; k?: number },
): ClassGuess[] {
  const count = probs.shape[1];
  const values = probs.data.subarray(row * count, (row + 1) * count);
  return Array.from(values, (p, i) => ({ char: options.classes[i], p }))
    .sort((a, b) => b.p - a.p)
    .slice(0, options.k ?? 3);
}
