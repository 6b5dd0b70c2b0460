/**
 * Shape arithmetic shared by the ops: sizes, strides, NumPy broadcasting and
 * axis normalisation, each failing with a {@linkcode ShapeError} that names the
 * op and the shapes involved.
 *
 * @module
 */

import { ShapeError } from "./errors.ts";
import type { AxisLayout, StridedView } from "./kernels/kernels.ts";

/** A tensor shape: the extent of each dimension, outermost first. */
export type Shape = readonly number[];

/** Formats a shape the way error messages show it: `[2, 3]`. */
export function showShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** Row-major strides of a contiguous array of this shape. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = step;
    step *= shape[d];
  }
  return strides;
}

/** Checks that every extent is a non-negative integer. */
export function checkShape(shape: Shape, op: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: invalid shape ${showShape(shape)}`);
    }
  }
}

/** The broadcast shape of two shapes under NumPy rules. */
export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${op}: shapes ${showShape(a)} and ${
          showShape(b)
        } do not broadcast (axis ${i}: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** A view that reads an array of shape `from` as if broadcast to shape `to`. */
export function broadcastView(from: Shape, to: Shape): StridedView {
  const strides = stridesOf(from);
  const offset = to.length - from.length;
  const viewStrides = to.map((_, i) => {
    const d = i - offset;
    return d < 0 || from[d] === 1 ? 0 : strides[d];
  });
  return { shape: to, strides: viewStrides, offset: 0 };
}

/** Normalises a possibly negative axis for a tensor of rank `rank`. */
export function normalizeAxis(axis: number, rank: number, op: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw new ShapeError(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return a;
}

/** The `outer × size × inner` layout of one axis of a contiguous shape. */
export function axisLayout(shape: Shape, axis: number): AxisLayout {
  return {
    outer: sizeOf(shape.slice(0, axis)),
    size: shape[axis],
    inner: sizeOf(shape.slice(axis + 1)),
  };
}

/** True when two shapes are equal. */
export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
