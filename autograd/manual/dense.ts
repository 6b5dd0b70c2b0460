/**
 * The assignment's layer-by-layer path with hand-written backprop: a fully
 * connected layer whose forward caches its input and pre-activation, and
 * whose backward turns dL/dy into dL/dW, dL/db and dL/dX. It computes with
 * the same tensors and kernels as the tape, but records nothing — every
 * gradient is written out by hand, so it can be checked against autograd.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import { add, div, greater, mul, relu, rsub, sigmoid, sub } from "../ops/elementwise.ts";
import { matmul } from "../ops/matmul.ts";
import { sum } from "../ops/reduce.ts";
import { softmax } from "../ops/softmax.ts";
import { transpose } from "../ops/layout.ts";
import { showShape } from "../shape.ts";
import { noGrad } from "../tape.ts";
import type { Tensor } from "../tensor.ts";

/** Activation of a manual layer. */
export type ManualActivation = "identity" | "sigmoid" | "relu" | "softmax";

/** What forward keeps for backward. */
export interface DenseCache {
  /** The layer input X [N, in]. */
  input: Tensor;
  /** Pre-activation Z = X·W + b [N, out]. */
  pre: Tensor;
  /** Activation output Y = f(Z) [N, out]. */
  output: Tensor;
}

/** Gradients returned by {@linkcode ManualDense.backward}. */
export interface DenseGrads {
  /** dL/dW [in, out]. */
  weight: Tensor;
  /** dL/db [out]. */
  bias: Tensor;
  /** dL/dX [N, in], to pass to the previous layer. */
  input: Tensor;
}

/** A fully connected layer y = f(x·W + b) with a hand-written backward pass. */
export class ManualDense {
  /** Weights [in, out]. */
  weight: Tensor;
  /** Bias [out]. */
  bias: Tensor;
  /** Activation applied after the affine map. */
  readonly activation: ManualActivation;
  /** Cache of the last forward call (null before the first). */
  cache: DenseCache | null = null;

  /** Wraps existing parameters (e.g. shared with a tape-based Linear layer). */
  constructor(weight: Tensor, bias: Tensor, options: { activation: ManualActivation }) {
    if (weight.ndim !== 2 || bias.ndim !== 1 || bias.shape[0] !== weight.shape[1]) {
      throw new ShapeError(
        `ManualDense: weight ${showShape(weight.shape)} and bias ${
          showShape(bias.shape)
        } do not fit`,
      );
    }
    this.weight = weight;
    this.bias = bias;
    this.activation = options.activation;
  }

  /** Y = f(X·W + b); caches X, Z and Y. */
  forward(input: Tensor): Tensor {
    return noGrad(() => {
      const pre = add(matmul(input, this.weight), this.bias);
      const output = activate(pre, this.activation);
      this.cache = { input, pre, output };
      return output;
    });
  }

  /**
   * Back-propagates `grad`. By default `grad` is dL/dY; with
   * `preActivation: true` it is already dL/dZ (the softmax + cross-entropy
   * shortcut `probs − targets`).
   */
  backward(grad: Tensor, options: { preActivation?: boolean } = {}): DenseGrads {
    const cache = this.cache;
    if (!cache) throw new ShapeError("ManualDense.backward: call forward first");
    return noGrad(() => {
      const delta = options.preActivation ? grad : activationBackward(grad, cache, this.activation);
      return {
        weight: matmul(transpose(cache.input), delta),
        bias: sum(delta, { axis: 0 }),
        input: matmul(delta, transpose(this.weight)),
      };
    });
  }
}

function activate(z: Tensor, activation: ManualActivation): Tensor {
  switch (activation) {
    case "identity":
      return z;
    case "sigmoid":
      return sigmoid(z);
    case "relu":
      return relu(z);
    case "softmax":
      return softmax(z);
  }
}

/** dL/dZ from dL/dY, by the derivative of each activation written out. */
function activationBackward(g: Tensor, cache: DenseCache, activation: ManualActivation): Tensor {
  const y = cache.output;
  switch (activation) {
    case "identity":
      return g;
    case "sigmoid": // σ'(z) = σ(z)(1 − σ(z))
      return mul(g, mul(y, rsub(1, y)));
    case "relu": // 1 where z > 0
      return mul(g, greater(cache.pre, 0));
    case "softmax": // J·g = y ⊙ (g − Σ g⊙y)
      return mul(y, sub(g, sum(mul(g, y), { axis: -1, keepDims: true })));
  }
}

/**
 * dL/dZ of mean (or summed) cross-entropy at a softmax output:
 * (probs − targets) / N. Pass it to the last layer's backward with
 * `preActivation: true`.
 */
export function softmaxCrossEntropyDelta(
  probs: Tensor,
  targets: Tensor,
  options: { reduction?: "mean" | "sum" } = {},
): Tensor {
  return noGrad(() => {
    const delta = sub(probs, targets);
    return options.reduction === "sum" ? delta : div(delta, probs.shape[0]);
  });
}
