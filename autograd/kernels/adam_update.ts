/**
 * The numbers of the `adamUpdate` kernel, worked out in one place for every
 * backend exactly as `Adam.step` computed them when it ran the update as
 * element-wise ops (`add`, `mul`, `div`, `sqrt` and three `scaleAddInPlace`
 * calls): a kernel that reproduces those ops' bits must start from the very
 * same doubles.
 *
 * Two kinds of scalar take part, and they round differently:
 * - the weight decay, 1 − β₂ᵗ and ε were plain numbers given to `mul`, `div`
 *   and `add`, which store them in a one-element tensor of the parameter's
 *   dtype, so a kernel rounds them to its storage type first (float32 for a
 *   Float32Array);
 * - β₁, 1 − β₁, β₂, 1 − β₂ and −lr/(1 − β₁ᵗ) were axpby's `alpha` and `beta`,
 *   which each backend's axpby takes as it likes: the reference loop in
 *   float64 as given, WebAssembly as float32 arguments.
 *
 * @module
 */

import type { AdamUpdateArgs } from "./kernels.ts";

/** Adam's per-call numbers, as doubles; see the module doc for how each is rounded. */
export interface AdamScalars {
  /** Whether g′ = g + λ·p at all (a zero λ leaves g itself, −0 and NaN·0 included). */
  decay: boolean;
  /** λ, a `mul` operand. */
  weightDecay: number;
  /** β₁, axpby's alpha for m. */
  beta1: number;
  /** 1 − β₁, axpby's beta for m. */
  oneMinusBeta1: number;
  /** β₂, axpby's alpha for v. */
  beta2: number;
  /** 1 − β₂, axpby's beta for v. */
  oneMinusBeta2: number;
  /** 1 − β₂ᵗ, the `div` operand that corrects v. */
  correction2: number;
  /** ε, the `add` operand. */
  eps: number;
  /** −lr/(1 − β₁ᵗ), axpby's beta for the parameter (its alpha is 1). */
  stepScale: number;
}

/** The numbers of one Adam update, spelled as `Adam.step` spelled them. */
export function adamScalars(args: AdamUpdateArgs): AdamScalars {
  const { lr, beta1, beta2, eps, weightDecay, step } = args;
  return {
    // `if (weightDecay)` in the optimizer: NaN, like 0, added nothing.
    decay: weightDecay !== 0 && !Number.isNaN(weightDecay),
    weightDecay,
    beta1,
    oneMinusBeta1: 1 - beta1,
    beta2,
    oneMinusBeta2: 1 - beta2,
    correction2: 1 - beta2 ** step,
    eps,
    stepScale: -lr / (1 - beta1 ** step),
  };
}
