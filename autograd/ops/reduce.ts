/**
 * Reductions: sum, mean and max over any set of axes, and argmax.
 *
 * @module
 */

import { kernels } from "../kernels/backend.ts";
import { axisLayout, normalizeAxis, type Shape, sizeOf } from "../shape.ts";
import { record } from "../tape.ts";
import { allocate, Tensor } from "../tensor.ts";
import { div, greater, mul, rsub } from "./elementwise.ts";
import { expand, reshape } from "./layout.ts";
import { keptShape, sumAxes } from "./sum_axes.ts";

/** Options of the reductions. */
export interface ReduceOptions {
  /** Axis or axes to reduce (negative counts from the end); all axes when omitted. */
  axis?: number | readonly number[];
  /** Keep reduced axes as extent 1 (so the result broadcasts against the input). */
  keepDims?: boolean;
}

function reducedAxes(x: Tensor, axis: ReduceOptions["axis"], op: string): number[] {
  if (axis === undefined) return x.shape.map((_, i) => i);
  const list = typeof axis === "number" ? [axis] : axis;
  return [...new Set(list.map((a) => normalizeAxis(a, x.ndim, op)))].sort((a, b) => a - b);
}

function finalShape(shape: Shape, axes: readonly number[], keepDims?: boolean): number[] {
  return keepDims ? keptShape(shape, axes) : shape.filter((_, i) => !axes.includes(i));
}

/** Sum of elements over `axis` (all by default). */
export function sum(x: Tensor, options: ReduceOptions = {}): Tensor {
  const axes = reducedAxes(x, options.axis, "sum");
  const kept = sumAxes(x, axes);
  const out = reshape(kept.detach(), finalShape(x.shape, axes, options.keepDims));
  return record("sum", [x], out, (g) => [expand(reshape(g, kept.shape), x.shape)]);
}

/** Mean of elements over `axis` (all by default). */
export function mean(x: Tensor, options: ReduceOptions = {}): Tensor {
  const axes = reducedAxes(x, options.axis, "mean");
  const count = sizeOf(axes.map((a) => x.shape[a]));
  return div(sum(x, options), count);
}

/**
 * Maximum over `axis` (all by default). The gradient is shared equally among
 * tied maxima, as `torch.amax` does.
 */
export function max(x: Tensor, options: ReduceOptions = {}): Tensor {
  const axes = reducedAxes(x, options.axis, "max");
  let data = x.data;
  const shape = [...x.shape];
  for (const axis of axes) {
    const layout = axisLayout(shape, axis);
    const out = allocate(x.dtype, layout.outer * layout.inner);
    kernels().maxAxis(data, { ...layout, out, index: new Int32Array(out.length) });
    data = out;
    shape[axis] = 1;
  }
  const kept = new Tensor(axes.length === 0 ? data.slice() : data, shape);
  const out = reshape(kept, finalShape(x.shape, axes, options.keepDims));
  return record("max", [x], out, (g) => {
    // x ≤ max everywhere, so "not (max > x)" marks the maxima.
    const isMax = rsub(1, greater(kept, x));
    const ties = sumAxes(isMax, axes);
    return [mul(expand(reshape(g, kept.shape), x.shape), div(isMax, ties))];
  });
}

/** Index of the (first) maximum along `axis` of each slice. */
export function argmax(x: Tensor, options: { axis?: number } = {}): Int32Array {
  const axis = normalizeAxis(options.axis ?? -1, x.ndim, "argmax");
  const layout = axisLayout(x.shape, axis);
  const out = allocate(x.dtype, layout.outer * layout.inner);
  const index = new Int32Array(out.length);
  kernels().maxAxis(x.data, { ...layout, out, index });
  return index;
}
