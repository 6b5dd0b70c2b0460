/**
 * The fully connected layer y = f(x·W + b), f an optional activation.
 *
 * @module
 */

import { type ActivationOp, linear, type Tensor } from "../autograd/mod.ts";
import { type InitOptions, xavierUniform, zeroParam } from "./init.ts";
import { Module } from "./module.ts";

/** Options of {@linkcode Linear}. */
export interface LinearOptions extends InitOptions {
  /** Add a bias (default true). */
  bias?: boolean;
  /**
   * Activation applied inside the layer, fused with the product (as Keras's
   * `Dense(activation=…)`); default none. The same numbers as a separate
   * activation layer, with fewer passes over the output.
   */
  activation?: ActivationOp;
}

/**
 * Fully connected layer. The weight is stored [in, out] (the assignment's
 * convention: y = x·W, and column j of W is the input pattern of unit j,
 * which is what weight images show). Xavier-uniform weights, zero bias.
 */
export class Linear extends Module {
  /** Weights [in, out]. */
  weight: Tensor;
  /** Bias [out], or null. */
  bias: Tensor | null;
  /** The fused activation, or null. */
  readonly activation: ActivationOp | null;

  /** Creates a layer mapping `inFeatures` to `outFeatures`. */
  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    this.weight = xavierUniform([inFeatures, outFeatures], {
      fanIn: inFeatures,
      fanOut: outFeatures,
    }, options);
    this.bias = options.bias === false ? null : zeroParam([outFeatures], options);
    this.activation = options.activation ?? null;
  }

  /** x [N, in] → [N, out]. */
  forward(x: Tensor): Tensor {
    return this.forwardWith(x, this.activation);
  }

  /**
   * The layer followed by `activation` instead of its own (Sequential uses
   * it to fuse a Linear with the activation layer after it).
   */
  forwardWith(x: Tensor, activation: ActivationOp | null): Tensor {
    return linear(x, this.weight, { bias: this.bias, activation: activation ?? undefined });
  }
}
