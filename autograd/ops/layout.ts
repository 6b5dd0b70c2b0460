/**
 * Ops that move elements without computing on them: reshape (a view),
 * broadcasting expand, permute/transpose, slice, concat and row gathering for
 * minibatches. All copies go through the gather/scatter kernels.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import { kernels } from "../kernels/backend.ts";
import type { StridedView } from "../kernels/kernels.ts";
import {
  broadcastShapes,
  broadcastView,
  normalizeAxis,
  sameShape,
  type Shape,
  showShape,
  sizeOf,
  stridesOf,
} from "../shape.ts";
import { record } from "../tape.ts";
import { allocate, checkSameDType, Tensor } from "../tensor.ts";
import { sumTo } from "./sum_axes.ts";

/**
 * Same elements, new shape (a view sharing storage). One extent may be −1 and
 * is then inferred.
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(x, shape);
  if (sameShape(target, x.shape)) return x;
  return record("reshape", [x], new Tensor(x.data, target), (g) => [reshape(g, x.shape)]);
}

function inferShape(x: Tensor, shape: readonly number[]): number[] {
  const free = shape.indexOf(-1);
  const known = sizeOf(shape.filter((d) => d !== -1));
  const target = [...shape];
  if (free >= 0 && known > 0 && x.size % known === 0) target[free] = x.size / known;
  if (target.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(target) !== x.size) {
    throw new ShapeError(`reshape: cannot view ${showShape(x.shape)} as ${showShape(shape)}`);
  }
  return target;
}

function gatherView(x: Tensor, view: StridedView): Tensor {
  const out = allocate(x.dtype, sizeOf(view.shape));
  kernels().gather(x.data, { view, out });
  return new Tensor(out, view.shape);
}

/** Broadcasts x to `shape` (NumPy rules), copying. Gradient: summed back. */
export function expand(x: Tensor, shape: Shape): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const target = broadcastShapes(x.shape, shape, "expand");
  if (!sameShape(target, shape)) {
    throw new ShapeError(`expand: ${showShape(x.shape)} cannot broadcast to ${showShape(shape)}`);
  }
  const out = gatherView(x, broadcastView(x.shape, shape));
  return record("expand", [x], out, (g) => [sumTo(g, x.shape)]);
}

/** Reorders axes: output axis i is input axis `axes[i]`. */
export function permute(x: Tensor, axes: readonly number[]): Tensor {
  const norm = axes.map((a) => normalizeAxis(a, x.ndim, "permute"));
  if (norm.length !== x.ndim || new Set(norm).size !== x.ndim) {
    throw new ShapeError(
      `permute: [${axes}] is not a permutation of the axes of ${showShape(x.shape)}`,
    );
  }
  const strides = stridesOf(x.shape);
  const out = gatherView(x, {
    shape: norm.map((a) => x.shape[a]),
    strides: norm.map((a) => strides[a]),
    offset: 0,
  });
  const inverse = norm.map((_, i) => norm.indexOf(i));
  return record("permute", [x], out, (g) => [permute(g, inverse)]);
}

/** Swaps the last two axes (the matrix transpose). */
export function transpose(x: Tensor): Tensor {
  if (x.ndim < 2) throw new ShapeError(`transpose: needs rank ≥ 2, got ${showShape(x.shape)}`);
  const axes = x.shape.map((_, i) => i);
  [axes[x.ndim - 2], axes[x.ndim - 1]] = [axes[x.ndim - 1], axes[x.ndim - 2]];
  return permute(x, axes);
}

/** Options of {@linkcode slice}. */
export interface SliceOptions {
  /** Axis to cut along (default 0). */
  axis?: number;
  /** First index kept (default 0; negative counts from the end). */
  start?: number;
  /** One past the last index kept (default: the extent; negative counts from the end). */
  end?: number;
}

/** The elements with `start ≤ index < end` along one axis (a copy). */
export function slice(x: Tensor, options: SliceOptions): Tensor {
  const axis = normalizeAxis(options.axis ?? 0, x.ndim, "slice");
  const extent = x.shape[axis];
  const clip = (i: number) => Math.min(Math.max(i < 0 ? i + extent : i, 0), extent);
  const start = clip(options.start ?? 0);
  const end = Math.max(start, clip(options.end ?? extent));
  const strides = stridesOf(x.shape);
  const view: StridedView = {
    shape: x.shape.map((d, i) => (i === axis ? end - start : d)),
    strides,
    offset: start * strides[axis],
  };
  return record("slice", [x], gatherView(x, view), (g) => {
    const out = allocate(g.dtype, x.size);
    kernels().scatter(g.data, { view, out });
    return [new Tensor(out, x.shape)];
  });
}

/** Joins tensors along an existing axis; all other extents must agree. */
export function concat(tensors: readonly Tensor[], options: { axis?: number } = {}): Tensor {
  if (tensors.length === 0) throw new ShapeError("concat: no tensors given");
  checkSameDType("concat", ...tensors);
  const first = tensors[0];
  const axis = normalizeAxis(options.axis ?? 0, first.ndim, "concat");
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
      throw new ShapeError(
        `concat: shapes ${
          tensors.map((u) => showShape(u.shape)).join(", ")
        } differ off axis ${axis}`,
      );
    }
  }
  const shape = first.shape.map((
    d,
    i,
  ) => (i === axis ? tensors.reduce((s, t) => s + t.shape[axis], 0) : d));
  const strides = stridesOf(shape);
  const out = allocate(first.dtype, sizeOf(shape));
  let at = 0;
  const views = tensors.map((t) => {
    const view = { shape: t.shape, strides, offset: at * strides[axis] };
    at += t.shape[axis];
    kernels().scatter(t.data, { view, out });
    return view;
  });
  return record(
    "concat",
    tensors,
    new Tensor(out, shape),
    (g) => views.map((view) => gatherView(g, view)),
  );
}

/**
 * Rows `rows[i]` of x along axis 0 (index_select): how minibatches are cut
 * from a data set without copying the whole set.
 */
export function gatherRows(x: Tensor, rows: Int32Array): Tensor {
  const count = x.shape[0] ?? 0;
  for (const r of rows) {
    if (r < 0 || r >= count) {
      throw new ShapeError(`gatherRows: row ${r} is out of range for ${showShape(x.shape)}`);
    }
  }
  const rowSize = x.size / Math.max(count, 1);
  const out = allocate(x.dtype, rows.length * rowSize);
  kernels().gatherRows(x.data, { rows, rowSize, out });
  const shape = [rows.length, ...x.shape.slice(1)];
  return record("gatherRows", [x], new Tensor(out, shape), (g) => {
    const gx = allocate(g.dtype, x.size);
    kernels().scatterAddRows(g.data, { rows, rowSize, out: gx });
    return [new Tensor(gx, x.shape)];
  });
}
