/**
 * The {@linkcode Tensor}: an n-dimensional array of float32 or float64 numbers
 * in contiguous row-major storage, with an optional gradient and a link to the
 * tape node that produced it.
 *
 * @module
 */

import { DTypeError, ShapeError } from "./errors.ts";
import type { Storage } from "./kernels/kernels.ts";
import { checkShape, type Shape, showShape, sizeOf } from "./shape.ts";
import { runBackward, type TapeNode } from "./tape.ts";

/** Element type of a tensor: float32 for speed (the default), float64 for gradient checks. */
export type DType = "float32" | "float64";

/** Options accepted where a tensor is created. */
export interface TensorOptions {
  /** Element type; float32 unless said otherwise. */
  dtype?: DType;
  /** Record operations on this tensor so that backward() reaches it. */
  requiresGrad?: boolean;
}

/** Options of {@linkcode Tensor.backward}. */
export interface BackwardOptions {
  /** Keep the recorded graph so backward can run through it again. */
  retainGraph?: boolean;
}

/** Allocates zeroed storage of the given dtype. */
export function allocate(dtype: DType, size: number): Storage {
  return dtype === "float64" ? new Float64Array(size) : new Float32Array(size);
}

/** The dtype of a storage array. */
export function dtypeOf(data: Storage): DType {
  return data instanceof Float64Array ? "float64" : "float32";
}

/**
 * An n-dimensional array with reverse-mode autograd.
 *
 * `data` is the flat row-major storage; it may be shared with other tensors
 * (a reshape is a view), so write to it only when you own it (optimizers own
 * parameters). Gradients are never modified in place by the library.
 */
export class Tensor {
  /** Flat row-major elements. */
  readonly data: Storage;
  /** Extent of each dimension, outermost first. */
  readonly shape: Shape;
  /** Whether backward() computes a gradient for this tensor. */
  requiresGrad: boolean;
  /** Gradient of the last backward() call(s), accumulated; null until then. */
  grad: Tensor | null = null;
  /** The tape entry that produced this tensor (null for leaves and under noGrad). */
  node: TapeNode | null = null;

  /** Wraps existing storage; `data.length` must equal the product of `shape`. */
  constructor(data: Storage, shape: Shape, options: { requiresGrad?: boolean } = {}) {
    checkShape(shape, "Tensor");
    if (data.length !== sizeOf(shape)) {
      throw new ShapeError(
        `Tensor: ${data.length} elements do not fill shape ${showShape(shape)} (${
          sizeOf(shape)
        } needed)`,
      );
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.requiresGrad = options.requiresGrad ?? false;
  }

  /** Element type. */
  get dtype(): DType {
    return dtypeOf(this.data);
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) {
      throw new ShapeError(`item: tensor of shape ${showShape(this.shape)} is not a scalar`);
    }
    return this.data[0];
  }

  /** The elements as a flat array of numbers (a copy). */
  toArray(): number[] {
    return Array.from(this.data);
  }

  /**
   * Back-propagates from this tensor: every tensor with `requiresGrad` that it
   * depends on gets `grad += ∂this/∂tensor · seed`. A non-scalar needs a seed
   * of its own shape. The recorded graph is released afterwards unless
   * `retainGraph` is set, so memory does not grow with training steps.
   */
  backward(seed?: Tensor, options: BackwardOptions = {}): void {
    runBackward(this, seed, options);
  }

  /** Keeps this intermediate's gradient in `grad` during backward (for inspection). */
  retainGrad(): this {
    if (this.node) this.node.retained = this;
    return this;
  }

  /** Clears the gradient. */
  zeroGrad(): void {
    this.grad = null;
  }

  /** A tensor sharing this one's data but cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** A copy with its own storage, optionally converted to another dtype. */
  clone(options: { dtype?: DType } = {}): Tensor {
    const dtype = options.dtype ?? this.dtype;
    const data = allocate(dtype, this.size);
    data.set(this.data);
    return new Tensor(data, this.shape);
  }

  /** Short description: shape and dtype. */
  toString(): string {
    return `Tensor(${showShape(this.shape)}, ${this.dtype}${this.requiresGrad ? ", grad" : ""})`;
  }
}

/** Throws a {@linkcode DTypeError} unless all tensors share one dtype. */
export function checkSameDType(op: string, ...tensors: Tensor[]): DType {
  const dtype = tensors[0].dtype;
  for (const t of tensors) {
    if (t.dtype !== dtype) {
      throw new DTypeError(
        `${op}: dtypes differ (${
          tensors.map((x) => `${x.dtype} ${showShape(x.shape)}`).join(", ")
        })`,
      );
    }
  }
  return dtype;
}
