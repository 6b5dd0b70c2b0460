/**
 * The layers an imported ONNX graph needs beyond `layers/`: a join of
 * several inputs (Concat), max pooling with ONNX's asymmetric padding and
 * `ceil_mode`, ONNX's Softmax and Flatten axes, and Reshape with ONNX's
 * `0` (copy) and `−1` (infer) entries. Each is built from the engine's
 * differentiable ops, so an imported network trains like any other.
 *
 * @module
 */

import {
  concat,
  full,
  maxPool2d,
  reshape,
  ShapeError,
  showShape,
  softmax,
  type Tensor,
} from "../autograd/mod.ts";
import { Module } from "../layers/mod.ts";

/** A layer of several inputs; `forward(x)` is `forwardAll([x])`. */
export abstract class MultiInputModule extends Module {
  /** Computes the output from all inputs, in the node's input order. */
  abstract forwardAll(inputs: readonly Tensor[]): Tensor;

  /** The one-input case. */
  forward(x: Tensor): Tensor {
    return this.forwardAll([x]);
  }
}

/** Joins its inputs along `axis` (ONNX Concat). */
export class Concat extends MultiInputModule {
  /** The axis joined along. */
  readonly axis: number;

  /** Creates the layer. */
  constructor(axis: number) {
    super();
    this.axis = axis;
  }

  /** Concatenates the inputs. */
  forwardAll(inputs: readonly Tensor[]): Tensor {
    return concat(inputs, { axis: this.axis });
  }
}

/** Passes its input through (ONNX Identity, and a Dropout's inference mode). */
export class Identity extends Module {
  /** Returns x. */
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** Options of {@linkcode PaddedMaxPool2d}. */
export interface PaddedMaxPoolOptions {
  /** Step between windows (both axes). */
  stride: number;
  /** Padding [top, left, bottom, right] (ONNX's `pads` order), each below the kernel. */
  pads: readonly [number, number, number, number];
  /** Round the output extent up, as Caffe did (ONNX `ceil_mode = 1`). */
  ceilMode: boolean;
}

/**
 * Max pooling with a square window, asymmetric padding and ceil mode (ONNX
 * MaxPool). Padded cells never win: the input is framed with −∞ (by
 * concatenation) and pooled without padding, so the gradient flows through
 * the engine's max pooling and concat.
 */
export class PaddedMaxPool2d extends Module {
  /** Window side. */
  readonly kernel: number;
  /** Geometry. */
  readonly options: PaddedMaxPoolOptions;

  /** Creates the layer. */
  constructor(kernel: number, options: PaddedMaxPoolOptions) {
    super();
    if (options.pads.some((p) => !Number.isInteger(p) || p < 0 || p >= kernel)) {
      throw new ShapeError(`PaddedMaxPool2d: pads [${options.pads}] must be 0 to ${kernel - 1}`);
    }
    this.kernel = kernel;
    this.options = options;
  }

  /** Padding after the input along an axis of `extent`, so that unpadded pooling gives ONNX's extent. */
  private endPad(extent: number, begin: number, end: number): number {
    const { kernel } = this;
    const { stride, ceilMode } = this.options;
    const span = extent + begin + end - kernel;
    if (span < 0) {
      throw new ShapeError(`PaddedMaxPool2d: window ${kernel} does not fit extent ${extent}`);
    }
    let out = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
    // The last window must start inside the input or its leading padding (as PyTorch and onnxruntime).
    if (ceilMode && (out - 1) * stride >= extent + begin) out--;
    return Math.max(0, (out - 1) * stride + kernel - extent - begin);
  }

  /** [N, C, H, W] → [N, C, OH, OW]. */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4) {
      throw new ShapeError(`PaddedMaxPool2d: input must be N×C×H×W, got ${showShape(x.shape)}`);
    }
    const [top, left, bottom, right] = this.options.pads;
    const framed = frame(x, 2, top, this.endPad(x.shape[2], top, bottom));
    const padded = frame(framed, 3, left, this.endPad(x.shape[3], left, right));
    return maxPool2d(padded, { kernel: this.kernel, stride: this.options.stride });
  }
}

/** x with `before` and `after` slices of −∞ added along `axis`. */
function frame(x: Tensor, axis: number, before: number, after: number): Tensor {
  if (before === 0 && after === 0) return x;
  const side = (n: number) =>
    full(x.shape.map((d, i) => (i === axis ? n : d)), -Infinity, { dtype: x.dtype });
  const parts = [...(before ? [side(before)] : []), x, ...(after ? [side(after)] : [])];
  return concat(parts, { axis });
}

/**
 * ONNX Softmax. From opset 13 it normalises along `axis` (default −1);
 * before, the input was flattened to 2-D at `axis` (default 1) and each row
 * normalised (`legacy`), which differs when axes follow `axis`.
 */
export class OnnxSoftmax extends Module {
  /** The axis. */
  readonly axis: number;
  /** Opset < 13 semantics. */
  readonly legacy: boolean;

  /** Creates the layer. */
  constructor(axis: number, options: { legacy: boolean }) {
    super();
    this.axis = axis;
    this.legacy = options.legacy;
  }

  /** The softmax of x. */
  forward(x: Tensor): Tensor {
    if (!this.legacy) return softmax(x, { axis: this.axis });
    const rows = x.shape.slice(0, axisIndex(this.axis, x)).reduce((p, d) => p * d, 1);
    return reshape(softmax(reshape(x, [rows, -1]), { axis: 1 }), x.shape);
  }
}

/** ONNX Flatten: [d0 … dn] → [d0·…·d(axis−1), rest]. */
export class OnnxFlatten extends Module {
  /** Where the split is. */
  readonly axis: number;

  /** Creates the layer. */
  constructor(axis: number) {
    super();
    this.axis = axis;
  }

  /** The 2-D view of x. */
  forward(x: Tensor): Tensor {
    const rows = x.shape.slice(0, axisIndex(this.axis, x, true)).reduce((p, d) => p * d, 1);
    return reshape(x, [rows, -1]);
  }
}

/** ONNX Reshape: an entry 0 copies the input's extent there, −1 is inferred. */
export class Reshape extends Module {
  /** The target shape, as the ONNX node gives it. */
  readonly shape: readonly number[];

  /** Creates the layer. */
  constructor(shape: readonly number[]) {
    super();
    this.shape = [...shape];
  }

  /** x viewed with the target shape. */
  forward(x: Tensor): Tensor {
    return reshape(x, this.shape.map((d, i) => (d === 0 ? x.shape[i] : d)));
  }
}

function axisIndex(axis: number, x: Tensor, inclusive = false): number {
  const at = axis < 0 ? axis + x.ndim : axis;
  if (!(at >= 0 && at < x.ndim + (inclusive ? 1 : 0))) {
    throw new ShapeError(`axis ${axis} is out of range for shape ${showShape(x.shape)}`);
  }
  return at;
}
