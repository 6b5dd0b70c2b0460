/**
 * Fused kernels of the reference backend: the bias add of a linear layer,
 * the backward of its activation, and the squared error's forward and
 * backward, each one pass instead of the two to four element-wise calls (and
 * temporaries) of the unfused ops. They round exactly as those ops do, so a
 * fused layer gives the same bits as the unfused one.
 *
 * @module
 */

import type { ActivationOp, Storage } from "../kernels.ts";
import { unary } from "./elementwise.ts";

/** out[r, j] = f(x[r, j] + bias[j]) with f the optional activation; `out` may alias `x`. */
export function addBias(
  x: Storage,
  args: { bias: Storage; out: Storage; activation?: ActivationOp },
): void {
  const { bias, out, activation } = args;
  if (bias.length === 0) return;
  // One monomorphic loop per storage type: the mixed one ran 1.5× slower.
  if (x instanceof Float32Array && bias instanceof Float32Array && out instanceof Float32Array) {
    addBias32(x, bias, out);
  } else {
    addBias64(x, bias, out);
  }
  if (activation) unary(activation, out, out);
}

function addBias32(x: Float32Array, bias: Float32Array, out: Float32Array): void {
  const n = bias.length;
  const size = x.length;
  for (let start = 0; start < size; start += n) {
    for (let j = 0; j < n; j++) out[start + j] = x[start + j] + bias[j];
  }
}

function addBias64(x: Storage, bias: Storage, out: Storage): void {
  const n = bias.length;
  const size = x.length;
  for (let start = 0; start < size; start += n) {
    for (let j = 0; j < n; j++) out[start + j] = x[start + j] + bias[j];
  }
}

/**
 * out = grad·f′(y) (see `Kernels.activationGrad`). Float32 storage rounds
 * every intermediate with `Math.fround`, as the unfused float32 ops do when
 * they store each temporary (a product or difference of float32 values
 * computed in double and then rounded equals the float32 operation exactly);
 * float64 storage needs no rounding, JS numbers being doubles. The two are
 * separate loops: a rounding function passed in as a value is not inlined,
 * and ran ten times slower.
 */
export function activationGrad(
  op: ActivationOp,
  args: { y: Storage; grad: Storage; out: Storage },
): void {
  const { y, grad, out } = args;
  if (op === "relu") {
    reluGrad(y, grad, out);
  } else if (
    y instanceof Float32Array && grad instanceof Float32Array && out instanceof Float32Array
  ) {
    if (op === "sigmoid") sigmoidGrad32(y, grad, out);
    else tanhGrad32(y, grad, out);
  } else if (op === "sigmoid") {
    sigmoidGrad64(y, grad, out);
  } else {
    tanhGrad64(y, grad, out);
  }
}

/** mul(g, step(x)): relu(x) > 0 exactly where x > 0 (NaN and −∞ give 0 in both); g·0 keeps g's sign. */
function reluGrad(y: Storage, grad: Storage, out: Storage): void {
  for (let i = 0; i < out.length; i++) out[i] = grad[i] * +(y[i] > 0);
}

/** The unfused rule mul(g, mul(y, rsub(1, y))), rsub(1, y) being −y + 1, in float32. */
function sigmoidGrad32(y: Float32Array, grad: Float32Array, out: Float32Array): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const v = y[i];
    out[i] = grad[i] * Math.fround(v * Math.fround(1 - v));
  }
}

/** As {@linkcode sigmoidGrad32}, in float64. */
function sigmoidGrad64(y: Storage, grad: Storage, out: Storage): void {
  for (let i = 0; i < out.length; i++) {
    const v = y[i];
    out[i] = grad[i] * (v * (1 - v));
  }
}

/** mul(g, rsub(1, mul(y, y))) in float32. */
function tanhGrad32(y: Float32Array, grad: Float32Array, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) {
    const v = y[i];
    out[i] = grad[i] * Math.fround(1 - Math.fround(v * v));
  }
}

/** As {@linkcode tanhGrad32}, in float64. */
function tanhGrad64(y: Storage, grad: Storage, out: Storage): void {
  for (let i = 0; i < out.length; i++) {
    const v = y[i];
    out[i] = grad[i] * (1 - v * v);
  }
}

/**
 * out = 2·(seed·diff) (see `Kernels.squaredErrorGrad`): float32 storage
 * rounds the product, as the unfused `mul` stores it; doubling is exact.
 */
export function squaredErrorGrad(diff: Storage, args: { seed: number; out: Storage }): void {
  const { out } = args;
  if (diff instanceof Float32Array && out instanceof Float32Array) {
    squaredErrorGrad32(diff, Math.fround(args.seed), out);
  } else {
    const seed = args.seed;
    for (let i = 0; i < out.length; i++) out[i] = 2 * (seed * diff[i]);
  }
}

function squaredErrorGrad32(diff: Float32Array, seed: number, out: Float32Array): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = 2 * Math.fround(seed * diff[i]);
}

/** See `Kernels.squaredDiffColumns`; the column accumulator is kept between calls. */
export function squaredDiffColumns(
  a: Storage,
  b: Storage,
  args: { diff: Storage; out: Storage },
): void {
  const { diff, out } = args;
  const width = out.length;
  if (columnSums.length < width) columnSums = new Float64Array(width);
  const acc = columnSums;
  acc.fill(0, 0, width);
  // Float32 storage rounds each difference on store, and each square here.
  const round = diff instanceof Float32Array ? Math.fround : (v: number) => v;
  for (let start = 0; start < diff.length; start += width) {
    for (let j = 0; j < width; j++) {
      diff[start + j] = a[start + j] - b[start + j];
      const d = diff[start + j];
      acc[j] += round(d * d);
    }
  }
  for (let j = 0; j < width; j++) out[j] = acc[j];
}

/** squaredDiffColumns's float64 column accumulator, grown to the widest row seen. */
let columnSums = new Float64Array(0);
