/**
 * Softmax and log-softmax along an axis, computed with the maximum
 * subtracted so that large logits never overflow.
 *
 * @module
 */

import { kernels } from "../kernels/backend.ts";
import { axisLayout, normalizeAxis } from "../shape.ts";
import { record } from "../tape.ts";
import { allocate, Tensor } from "../tensor.ts";
import { exp, mul, sub } from "./elementwise.ts";
import { sum } from "./reduce.ts";

/** Raw softmax (or log-softmax) along `axis`, without recording. */
export function softmaxForward(x: Tensor, options: { axis: number; log?: boolean }): Tensor {
  const axis = normalizeAxis(options.axis, x.ndim, options.log ? "logSoftmax" : "softmax");
  const out = allocate(x.dtype, x.size);
  kernels().softmax(x.data, { ...axisLayout(x.shape, axis), out, log: options.log });
  return new Tensor(out, x.shape);
}

/** e^x / Σ e^x along `axis` (default: the last). */
export function softmax(x: Tensor, options: { axis?: number } = {}): Tensor {
  const axis = options.axis ?? -1;
  const y = softmaxForward(x, { axis });
  return record("softmax", [x], y, (g) => {
    const dot = sum(mul(g, y), { axis, keepDims: true });
    return [mul(y, sub(g, dot))];
  });
}

/** x − log Σ e^x along `axis` (default: the last). */
export function logSoftmax(x: Tensor, options: { axis?: number } = {}): Tensor {
  const axis = options.axis ?? -1;
  const y = softmaxForward(x, { axis, log: true });
  return record("logSoftmax", [x], y, (g) => {
    const total = sum(g, { axis, keepDims: true });
    return [sub(g, mul(exp(y), total))];
  });
}
