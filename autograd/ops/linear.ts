/**
 * The fused fully connected op `linear(x, W, { bias, activation })`:
 * y = f(x·W + b) as one tape node. The forward is one gemm, one bias pass and
 * the activation in place on the same buffer; the backward turns the output
 * gradient into the pre-activation one in a single pass
 * (`Kernels.activationGrad`), then runs the two gemms of the matmul backward
 * and the bias column sum. Compared with matmul → add → activation it
 * allocates one buffer instead of three in the forward and skips four
 * element-wise passes in the backward, yet calls the same kernels in the
 * same rounding order, so the bits are those of the unfused ops on every
 * backend.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import { kernels } from "../kernels/backend.ts";
import type { ActivationOp } from "../kernels/kernels.ts";
import { showShape } from "../shape.ts";
import { record } from "../tape.ts";
import { gradientStorage } from "../grad_storage.ts";
import { allocate, checkSameDType, Tensor } from "../tensor.ts";
import { add, relu, sigmoid, tanh } from "./elementwise.ts";
import { matmul } from "./matmul.ts";
import { scratch } from "./scratch.ts";

export type { ActivationOp } from "../kernels/kernels.ts";

/** Options of {@linkcode linear}. */
export interface LinearOpOptions {
  /** The bias b [out] (default none). */
  bias?: Tensor | null;
  /** Activation applied to x·W + b (default none). */
  activation?: ActivationOp;
}

const UNFUSED: Record<ActivationOp, (x: Tensor) => Tensor> = { sigmoid, tanh, relu };

/**
 * f(x·W + b) for x [N, in], W [in, out] and `options.bias` b [out], with f an
 * optional activation. Other ranks of x run as the unfused ops, which
 * broadcast the same way (`matmul`, `add`).
 */
export function linear(
  x: Tensor,
  weight: Tensor,
  options: LinearOpOptions = {},
): Tensor {
  const bias = options.bias ?? null;
  const act = options.activation ?? null;
  if (x.ndim !== 2 || weight.ndim !== 2 || (bias !== null && bias.ndim !== 1)) {
    // Batched inputs: the batched matmul's per-entry gemms round their own way.
    const z = bias ? add(matmul(x, weight), bias) : matmul(x, weight);
    return act ? UNFUSED[act](z) : z;
  }
  const dtype = checkSameDType("linear", ...(bias ? [x, weight, bias] : [x, weight]));
  const [m, k] = x.shape;
  const [k2, n] = weight.shape;
  if (k !== k2 || (bias !== null && bias.shape[0] !== n)) {
    throw new ShapeError(
      `linear: input ${showShape(x.shape)}, weight ${showShape(weight.shape)}${
        bias ? ` and bias ${showShape(bias.shape)}` : ""
      } do not fit`,
    );
  }
  const k0 = kernels();
  const y = allocate(dtype, m * n, { written: true });
  k0.gemm({ a: x.data, b: weight.data, c: y, m, n, k });
  if (bias) k0.addBias(y, { bias: bias.data, out: y, activation: act ?? undefined });
  else if (act) k0.unary(act, y, y);
  const out = new Tensor(y, [m, n]);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record("linear", inputs, out, (g) => {
    const ks = kernels();
    // dZ lives only during this call: a scratch array, not a new one per step.
    let gz = g.data;
    if (act) {
      gz = scratch("linear.dZ", dtype, m * n);
      ks.activationGrad(act, { y, grad: g.data, out: gz });
    }
    // Each gradient goes into the parameter's kept storage when it has one
    // (gradientStorage), so a training step allocates no gradient arrays.
    let gx: Tensor | null = null;
    let gw: Tensor | null = null;
    let gb: Tensor | null = null;
    if (x.requiresGrad) {
      // dX = dZ·Wᵀ, as matmul's backward.
      const data = gradientStorage(x);
      ks.gemm({ a: gz, b: weight.data, c: data, m, n: k, k: n, transB: true });
      gx = new Tensor(data, x.shape);
    }
    if (weight.requiresGrad) {
      // dW = Xᵀ·dZ.
      const data = gradientStorage(weight);
      ks.gemm({ a: x.data, b: gz, c: data, m: k, n, k: m, transA: true });
      gw = new Tensor(data, weight.shape);
    }
    if (bias?.requiresGrad) {
      // db: the column sums, the one sumAxis pass add's backward (sumTo) makes.
      const data = gradientStorage(bias);
      ks.sumAxis(gz, { outer: 1, size: m, inner: n, out: data });
      gb = new Tensor(data, bias.shape);
    }
    return bias ? [gx, gw, gb] : [gx, gw];
  });
}
