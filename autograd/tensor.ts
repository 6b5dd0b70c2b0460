/**
 * The {@linkcode Tensor}: an n-dimensional array of float32 or float64 numbers
 * in contiguous row-major storage, with an optional gradient and a link to the
 * tape node that produced it; and `backward()`, which replays the tape from a
 * tensor in reverse (ops record onto the tape in `tape.ts`).
 *
 * @module
 */

import { AutogradError, DTypeError, ShapeError } from "./errors.ts";
import {
  lendingGradients,
  releaseGradientStorage,
  reuseGradientStorage,
  startRule,
} from "./grad_storage.ts";
import { kernels } from "./kernels/backend.ts";
import type { Storage } from "./kernels/kernels.ts";
import { checkShape, sameShape, type Shape, showShape, sizeOf } from "./shape.ts";
import { keepInScope, newStorage, registerMade, takeStorage } from "./storage_pool.ts";
import { noGrad, type TapeNode } from "./tape.ts";

/** Marks a tensor's storage as released (set in `Tensor`'s static block; used by `tidy.ts`). */
export let releaseTensor: (t: Tensor) => void;
/** Whether a tensor's storage was released by `tidy` (set with {@linkcode releaseTensor}). */
export let isReleased: (t: Tensor) => boolean;

/** A tape entry whose inputs and output are tensors. */
export type TensorNode = TapeNode<Tensor>;

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

/**
 * Zeroed storage for an op's result. Inside a {@linkcode tidy} scope it may be
 * an array an earlier scope released, and goes back to the pool when this
 * scope ends unless a tensor that survives it holds it. `written`: the op's
 * kernel writes every element before any is read, on every backend and
 * path, so a reused array need not be zeroed (storage_pool.ts).
 */
export function allocate(
  dtype: DType,
  size: number,
  options: { written?: boolean } = {},
): Storage {
  return takeStorage(dtype === "float64", size, options);
}

/**
 * Zeroed storage that its creator keeps (new tensors from `zeros`, `tensor`
 * and the like, `clone()`, optimizer state): never recycled by `tidy`.
 */
export function allocateOwned(dtype: DType, size: number): Storage {
  return newStorage(dtype === "float64", size);
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
 * parameters). The library never modifies a gradient in place; its training
 * loops reuse a leaf's gradient storage (`zeroGrad({ reuse: true })`, see
 * {@linkcode Tensor.zeroGrad}), so `clone()` a gradient you keep across their steps.
 * They also run each step in a `tidy` scope (tidy.ts): a tensor an op made
 * inside one is released when it ends unless the scope returned or kept it,
 * and reading its `data` then throws. Under the WebAssembly and native
 * kernels, storage used step after step (those scopes' float32 results,
 * parameters, their reused gradients) may be a view of the kernels' shared
 * memory: its `buffer` is then a SharedArrayBuffer that many tensors share,
 * so copy `data` with `slice()` to send or keep it on its own.
 */
export class Tensor {
  #data: Storage | null;
  /** Extent of each dimension, outermost first. */
  readonly shape: Shape;
  /** Number of elements. */
  readonly size: number;
  /** Whether backward() computes a gradient for this tensor. */
  requiresGrad: boolean;
  #grad: Tensor | null = null;
  /** The tape entry that produced this tensor (null for leaves and under noGrad). */
  node: TensorNode | null = null;

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
    this.#data = data;
    this.shape = Object.freeze([...shape]);
    this.size = data.length;
    this.requiresGrad = options.requiresGrad ?? false;
    registerMade(this);
  }

  static {
    releaseTensor = (t) => {
      t.#data = null;
    };
    isReleased = (t) => t.#data === null;
  }

  /**
   * Flat row-major elements. Throws once the {@linkcode tidy} scope that made
   * this tensor has ended and released its storage.
   */
  get data(): Storage {
    const data = this.#data;
    if (data === null) {
      throw new AutogradError(
        `tensor of shape ${
          showShape(this.shape)
        } was released when the tidy() scope that made it ended; return it from the scope's function or keep() it`,
      );
    }
    return data;
  }

  /**
   * Gradient of the last backward() call(s), accumulated; null until then and
   * after zeroGrad(). After `zeroGrad({ reuse: true })` the next backward()
   * writes into the storage of the gradient it dropped. A gradient assigned
   * here (by backward, or by hand) outlives the `tidy` scope it was made in.
   */
  get grad(): Tensor | null {
    return this.#grad;
  }

  set grad(value: Tensor | null) {
    if (value !== null) keepInScope(value);
    this.#grad = value;
  }

  /** Element type. */
  get dtype(): DType {
    return dtypeOf(this.data);
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

  /**
   * Clears the gradient (sets it to null). With `reuse`, the next
   * backward() writes the new gradient into the dropped one's storage rather
   * than allocating, so a training loop allocates no new gradient arrays
   * after its first step (`fit` and the library's other loops do this); a
   * reference to the old gradient then sees the new values. Without it, a
   * kept gradient stays as it was.
   */
  zeroGrad(options: { reuse?: boolean } = {}): void {
    this.grad = null;
    if (options.reuse) reuseGradientStorage(this);
    else releaseGradientStorage(this);
  }

  /** A tensor sharing this one's data but cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** A copy with its own storage, optionally converted to another dtype. */
  clone(options: { dtype?: DType } = {}): Tensor {
    const dtype = options.dtype ?? this.dtype;
    const data = allocateOwned(dtype, this.size);
    data.set(this.data);
    return new Tensor(data, this.shape);
  }

  /** Short description: shape and dtype. */
  toString(): string {
    if (this.#data === null) return `Tensor(${showShape(this.shape)}, released)`;
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

/** Implementation of {@linkcode Tensor.backward}. */
function runBackward(root: Tensor, seed: Tensor | undefined, options: BackwardOptions) {
  if (!root.requiresGrad) {
    throw new AutogradError(
      "backward: this tensor does not require grad (no input had requiresGrad: true, or it was computed under noGrad)",
    );
  }
  const grad = seed ?? scalarSeed(root);
  if (!sameShape(grad.shape, root.shape) || grad.dtype !== root.dtype) {
    throw new AutogradError(
      `backward: seed ${grad.dtype} ${showShape(grad.shape)} does not match output ${root.dtype} ${
        showShape(root.shape)
      }`,
    );
  }
  if (!root.node) {
    root.grad = accumulate(root.grad, grad);
    return;
  }
  const grads = new Map<TensorNode, Tensor>([[root.node, grad]]);
  const pass = { final: !options.retainGraph };
  noGrad(() =>
    lendingGradients(() => {
      for (const node of reachable(root.node!)) {
        const g = grads.get(node);
        if (!g) continue;
        grads.delete(node);
        if (node.retained) node.retained.grad = accumulate(node.retained.grad, g);
        if (node.backward === null) {
          throw new AutogradError(
            `backward: the graph through ${node.op} was released by an earlier backward(); pass { retainGraph: true } to the first call`,
          );
        }
        startRule();
        const inputGrads = node.backward(g, pass);
        node.inputs.forEach((input, i) => {
          const gi = inputGrads[i];
          if (!gi || !input.requiresGrad) return;
          if (!sameShape(gi.shape, input.shape)) {
            throw new AutogradError(
              `backward of ${node.op}: gradient ${showShape(gi.shape)} for input ${i} of shape ${
                showShape(input.shape)
              }`,
            );
          }
          if (input.node) grads.set(input.node, accumulate(grads.get(input.node) ?? null, gi));
          else input.grad = accumulate(input.grad, gi);
        });
        if (!options.retainGraph) {
          node.backward = null;
          node.inputs = [];
        }
      }
    })
  );
}

function scalarSeed(root: Tensor): Tensor {
  if (root.size !== 1) {
    throw new AutogradError(
      `backward: output has shape ${
        showShape(root.shape)
      }; pass a seed gradient of that shape, or reduce the output to a scalar first`,
    );
  }
  const one = allocate(root.dtype, 1);
  one[0] = 1;
  return new Tensor(one, root.shape);
}

/** Nodes reachable from `start`, latest first: the tape in reverse. */
function reachable(start: TensorNode): TensorNode[] {
  const seen = new Set<TensorNode>([start]);
  const stack = [start];
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const input of node.inputs) {
      if (input.node && !seen.has(input.node)) {
        seen.add(input.node);
        stack.push(input.node);
      }
    }
  }
  return [...seen].sort((a, b) => b.id - a.id);
}

/** a + b without touching either (gradients are shared, never mutated). */
function accumulate(a: Tensor | null, b: Tensor): Tensor {
  if (a === null) return b;
  const out = allocate(a.dtype, a.size);
  kernels().binary("add", { a: a.data, b: b.data, out });
  return new Tensor(out, a.shape);
}
