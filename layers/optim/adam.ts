/**
 * Adam (Kingma & Ba 2015) with bias correction and optional L2 weight decay.
 *
 * @module
 */

import { add, div, mul, noGrad, scaleAddInPlace, sqrt, type Tensor } from "../../autograd/mod.ts";
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

/** The Adam optimizer. */
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

  /** One update of every parameter that has a gradient. */
  step(): void {
    const [b1, b2] = this.betas;
    const t = this.steps + 1;
    const m = this.slot("m");
    const v = this.slot("v");
    noGrad(() => {
      this.params.forEach((p, i) => {
        if (!p.grad) return;
        const g = this.weightDecay ? add(p.grad, mul(p, this.weightDecay)) : p.grad;
        scaleAddInPlace(m[i], g, { alpha: b1, beta: 1 - b1 });
        scaleAddInPlace(v[i], mul(g, g), { alpha: b2, beta: 1 - b2 });
        // W ← W − α·m̂/(√v̂ + ε) with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
        const denom = add(sqrt(div(v[i], 1 - b2 ** t)), this.eps);
        scaleAddInPlace(p, div(m[i], denom), { beta: -this.lr / (1 - b1 ** t) });
      });
    });
    this.steps = t;
  }
}
