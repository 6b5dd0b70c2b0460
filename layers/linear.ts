/**
 * The fully connected layer y = x·W + b.
 *
 * @module
 */

import { add, matmul, type Tensor } from "../autograd/mod.ts";
import { type InitOptions, xavierUniform, zeroParam } from "./init.ts";
import { Module } from "./module.ts";

/** Options of {@linkcode Linear}. */
export interface LinearOptions extends InitOptions {
  /** Add a bias (default true). */
  bias?: boolean;
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

  /** Creates a layer mapping `inFeatures` to `outFeatures`. */
  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    this.weight = xavierUniform([inFeatures, outFeatures], {
      fanIn: inFeatures,
      fanOut: outFeatures,
    }, options);
    this.bias = options.bias === false ? null : zeroParam([outFeatures], options);
  }

  /** x [N, in] → [N, out]. */
  forward(x: Tensor): Tensor {
    const y = matmul(x, this.weight);
    return this.bias ? add(y, this.bias) : y;
  }
}
