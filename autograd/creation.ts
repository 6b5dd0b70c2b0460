/**
 * Ways to make tensors: from numbers, filled with a constant, with random
 * values from a seeded {@linkcode Rng}, or as a range.
 *
 * @module
 */

import { ShapeError } from "./errors.ts";
import type { Storage } from "./kernels/kernels.ts";
import { Rng } from "./rng.ts";
import { checkShape, type Shape, sizeOf } from "./shape.ts";
import { allocateOwned, Tensor, type TensorOptions } from "./tensor.ts";

/** Nested arrays of numbers, as written in code: `[[1, 2], [3, 4]]`. */
export type NestedNumbers = number | readonly NestedNumbers[];

function shapeOfNested(values: NestedNumbers): number[] {
  const shape: number[] = [];
  let level: NestedNumbers = values;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0] as NestedNumbers;
  }
  return shape;
}

/**
 * A tensor from (nested) numbers or a typed array. A flat array or typed
 * array may be given a `shape`; nested arrays must be rectangular.
 */
export function tensor(
  values: NestedNumbers | ArrayLike<number>,
  options: TensorOptions & { shape?: Shape } = {},
): Tensor {
  const flat: number[] | ArrayLike<number> = typeof values === "number"
    ? [values]
    : Array.isArray(values)
    ? (values as NestedNumbers[]).flat(Infinity as 1) as number[]
    : values as ArrayLike<number>;
  const shape = options.shape ??
    (typeof values === "number"
      ? []
      : Array.isArray(values)
      ? shapeOfNested(values)
      : [flat.length]);
  checkShape(shape, "tensor");
  if (sizeOf(shape) !== flat.length) {
    throw new ShapeError(`tensor: ${flat.length} values do not fill shape [${shape.join(", ")}]`);
  }
  const data = allocateOwned(options.dtype ?? "float32", flat.length);
  data.set(flat as ArrayLike<number>);
  return new Tensor(data, shape, options);
}

/** A tensor wrapping existing storage without copying. */
export function fromStorage(data: Storage, shape: Shape, options: TensorOptions = {}): Tensor {
  return new Tensor(data, shape, options);
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: Shape, value: number, options: TensorOptions = {}): Tensor {
  checkShape(shape, "full");
  const data = allocateOwned(options.dtype ?? "float32", sizeOf(shape));
  if (value !== 0) data.fill(value);
  return new Tensor(data, shape, options);
}

/** A tensor of zeros. */
export function zeros(shape: Shape, options: TensorOptions = {}): Tensor {
  return full(shape, 0, options);
}

/** A tensor of ones. */
export function ones(shape: Shape, options: TensorOptions = {}): Tensor {
  return full(shape, 1, options);
}

/** Zeros with the shape and dtype of `t`. */
export function zerosLike(t: Tensor): Tensor {
  return zeros(t.shape, { dtype: t.dtype });
}

/** 0, 1, …, n−1. */
export function arange(n: number, options: TensorOptions = {}): Tensor {
  const t = zeros([n], options);
  for (let i = 0; i < n; i++) t.data[i] = i;
  return t;
}

/** Options of the random constructors. */
export interface RandomOptions extends TensorOptions {
  /** The generator to draw from (default: a fresh one seeded with 0). */
  rng?: Rng;
}

/** Uniform draws in [low, high) (default [0, 1)). */
export function rand(
  shape: Shape,
  options: RandomOptions & { low?: number; high?: number } = {},
): Tensor {
  const t = zeros(shape, options);
  (options.rng ?? new Rng(0)).fillUniform(t.data, options);
  return t;
}

/** Normal draws (default mean 0, standard deviation 1). */
export function randn(
  shape: Shape,
  options: RandomOptions & { mean?: number; std?: number } = {},
): Tensor {
  const t = zeros(shape, options);
  (options.rng ?? new Rng(0)).fillNormal(t.data, options);
  return t;
}
