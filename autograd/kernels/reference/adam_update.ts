/**
 * The adamUpdate kernel of the reference backend: Adam's whole update in one
 * loop, rounding after every operation exactly as the reference kernels of
 * the ops it replaces do — `binary`/`binaryStrided` store each sum, product
 * and quotient in the storage type, and `axpby` forms a·alpha + b·beta in
 * float64 with its scalars as given, rounding only the result. With
 * Float32Array storage the loop rounds with Math.fround where those kernels
 * stored into a Float32Array; with Float64Array nothing rounds beyond the
 * doubles themselves.
 *
 * @module
 */

import { adamScalars } from "../adam_update.ts";
import type { AdamUpdateArgs, Storage } from "../kernels.ts";

const asDouble = (x: number): number => x;

/** One Adam update of `param`, `m` and `v` in place; see `Kernels.adamUpdate`. */
export function adamUpdate(param: Storage, args: AdamUpdateArgs): void {
  adamLoop(param, args, param instanceof Float32Array ? Math.fround : asDouble);
}

/** The update with `round` standing for a store into the storage type. */
function adamLoop(param: Storage, args: AdamUpdateArgs, round: (x: number) => number): void {
  const { grad, m, v } = args;
  const s = adamScalars(args);
  const { decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepScale } = s;
  // The operands `mul`, `div` and `add` stored in a one-element tensor.
  const weightDecay = round(s.weightDecay);
  const correction2 = round(s.correction2);
  const eps = round(s.eps);
  const n = param.length;
  for (let i = 0; i < n; i++) {
    const p = param[i];
    const g = decay ? round(grad[i] + round(p * weightDecay)) : grad[i];
    const mi = round(m[i] * beta1 + g * oneMinusBeta1);
    const vi = round(v[i] * beta2 + round(g * g) * oneMinusBeta2);
    m[i] = mi;
    v[i] = vi;
    const denominator = round(round(Math.sqrt(round(vi / correction2))) + eps);
    // axpby's p·1 + q·beta: p·1 is p, exactly.
    param[i] = round(p + round(mi / denominator) * stepScale);
  }
}
