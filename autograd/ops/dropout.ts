/**
 * Inverted dropout: in training, zero each element with probability `p` and
 * scale the survivors by 1/(1−p), so evaluation needs no rescaling.
 *
 * @module
 */

import { InklingError } from "../errors.ts";
import type { Rng } from "../rng.ts";
import { allocate, Tensor } from "../tensor.ts";
import { mul } from "./elementwise.ts";

/** Options of {@linkcode dropout}. */
export interface DropoutOptions {
  /** Probability of dropping an element, in [0, 1). */
  p: number;
  /** Source of the random mask (seeded for reproducibility). */
  rng: Rng;
  /** Apply dropout (default true); false returns x unchanged, as in evaluation. */
  training?: boolean;
}

/** Randomly zeroes elements of x with probability p (inverted scaling). */
export function dropout(x: Tensor, options: DropoutOptions): Tensor {
  const { p, rng } = options;
  if (!(p >= 0 && p < 1)) throw new InklingError(`dropout: p must be in [0, 1), got ${p}`);
  if (options.training === false || p === 0) return x;
  const mask = allocate(x.dtype, x.size);
  rng.fillBernoulli(mask, { keep: 1 - p, value: 1 / (1 - p) });
  return mul(x, new Tensor(mask, x.shape));
}
