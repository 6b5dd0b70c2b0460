/**
 * Adam (Kingma & Ba 2015) with bias correction and optional L2 weight decay.
 *
 * @module
 */

import { adamUpdateInPlace, type Tensor } from "../../autograd/mod.ts";
import { Optimizer } from "./optimizer.ts";

/** Options of {@linkcode Adam}. */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates of the first and second moment (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to √v̂ for stability (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
}

/**
 * The Adam optimizer. Each step, for every parameter W with a gradient g
 * (plus λW with weight decay λ), with m and v zero-initialised per parameter:
 *
 *   m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²
 *   W ← W − α·m̂/(√v̂ + ε)   with m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)
 */
export class Adam extends Optimizer {
  /** Moment decay rates. */
  readonly betas: [number, number];
  /** Stability constant. */
  readonly eps: number;
  /** L2 penalty. */
  readonly weightDecay: number;

  /** Creates the optimizer. */
  constructor(params: readonly Tensor[], options: AdamOptions = {}) {
    super(params, { lr: options.lr ?? 1e-3 });
    this.betas = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
  }

  /**
   * One update of every parameter that has a gradient: one `adamUpdateInPlace`
   * call each, the bits of the element-wise ops it replaced (`add`, `mul`,
   * `div`, `sqrt` and `scaleAddInPlace`) without their temporaries.
   */
  step(): void {
    const [beta1, beta2] = this.betas;
    const t = this.steps + 1;
    const m = this.slot("m");
    const v = this.slot("v");
    this.params.forEach((p, i) => {
      if (!p.grad) return;
      adamUpdateInPlace(p, p.grad, {
        m: m[i],
        v: v[i],
        lr: this.lr,
        beta1,
        beta2,
        eps: this.eps,
        weightDecay: this.weightDecay,
        step: t,
      });
    });
    this.steps = t;
  }
}
