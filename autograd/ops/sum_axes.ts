/**
 * Sums over axes straight on the kernels, without the tape: the forward half
 * of `sum`, and {@linkcode sumTo}, which folds a broadcast gradient back onto
 * an operand's shape. Backward rules run under `noGrad`, so they need no
 * recording; keeping these here, below the ops, lets the element-wise,
 * layout and reduction ops use them without importing one another in a
 * circle.
 *
 * @module
 */

import { kernels } from "../kernels/backend.ts";
import { axisLayout, sameShape, type Shape } from "../shape.ts";
import { allocate, Tensor } from "../tensor.ts";

/** `shape` with the extents of `axes` set to 1. */
export function keptShape(shape: Shape, axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** Sum of `x` over `axes` (sorted, distinct), reduced axes kept as extent 1; not recorded. */
export function sumAxes(x: Tensor, axes: readonly number[]): Tensor {
  let data = x.data;
  const shape = [...x.shape];
  for (const axis of axes) {
    const layout = axisLayout(shape, axis);
    const out = allocate(x.dtype, layout.outer * layout.inner);
    kernels().sumAxis(data, { ...layout, out });
    data = out;
    shape[axis] = 1;
  }
  if (axes.length === 0) {
    data = allocate(x.dtype, x.size);
    data.set(x.data);
  }
  return new Tensor(data, keptShape(x.shape, axes));
}

/**
 * Sums a gradient of a broadcast result back onto the operand's `shape`
 * (over leading axes and axes where the operand had extent 1). For backward
 * rules: the result is not recorded on the tape.
 */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes = g.shape.flatMap((d, i) => i < lead || (shape[i - lead] === 1 && d !== 1) ? [i] : []);
  return new Tensor(sumAxes(g, axes).data, shape);
}
