/**
 * Stochastic gradient descent, optionally with momentum and weight decay.
 *
 * @module
 */

import { add, mul, noGrad, sgdUpdateInPlace, type Tensor } from "../../autograd/mod.ts";
import { Optimizer } from "./optimizer.ts";

/** Options of {@linkcode SGD}. */
export interface SGDOptions {
  /** Learning rate α. */
  lr: number;
  /** Momentum μ (default 0: plain SGD). */
  momentum?: number;
  /** L2 penalty λ: the gradient used is ∂J/∂W + λW (default 0). */
  weightDecay?: number;
}

/**
 * SGD. With momentum it uses the assignment's rule, state zero-initialised
 * per parameter:
 *
 *   M ← μ·M − α·∂J/∂W,   W ← W + M
 *
 * (PyTorch keeps v ← μv + g, W ← W − αv: identical while α is constant.)
 */
export class SGD extends Optimizer {
  /** Momentum μ. */
  readonly momentum: number;
  /** L2 penalty λ. */
  readonly weightDecay: number;

  /** Creates the optimizer. */
  constructor(params: readonly Tensor[], options: SGDOptions) {
    super(params, options);
    this.momentum = options.momentum ?? 0;
    this.weightDecay = options.weightDecay ?? 0;
  }

  /** One update of every parameter that has a gradient. */
  step(): void {
    noGrad(() => {
      const buffers = this.momentum ? this.slot("momentum") : null;
      this.params.forEach((p, i) => {
        if (!p.grad) return;
        const g = this.weightDecay ? add(p.grad, mul(p, this.weightDecay)) : p.grad;
        sgdUpdateInPlace(p, g, {
          lr: this.lr,
          velocity: buffers?.[i],
          momentum: this.momentum,
        });
      });
    });
    this.steps++;
  }
}
