/**
 * Losses: cross-entropy from logits (fused with a stable log-softmax) and
 * squared error. Targets are one-hot/probability tensors or class indices.
 *
 * @module
 */

import { InklingError, ShapeError } from "../errors.ts";
import { sameShape, showShape } from "../shape.ts";
import { noGrad, record } from "../tape.ts";
import { allocate, checkSameDType, type DType, Tensor } from "../tensor.ts";
import { kernels } from "../kernels/backend.ts";
import { add, div, mul, neg, sub } from "./elementwise.ts";
import { sum } from "./reduce.ts";
import { sumAxes } from "./sum_axes.ts";
import { scratch } from "./scratch.ts";
import { softmaxForward } from "./softmax.ts";

/** How a loss over a batch is reduced to one number. */
export type Reduction = "mean" | "sum";

/**
 * One-hot rows for class indices: `[labels.length, classes]`, 1 at each label.
 */
export function oneHot(
  labels: ArrayLike<number>,
  classes: number,
  options: { dtype?: DType } = {},
): Tensor {
  const data = allocate(options.dtype ?? "float32", labels.length * classes);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new ShapeError(`oneHot: label ${label} at ${i} is not in 0..${classes - 1}`);
    }
    data[i * classes + label] = 1;
  }
  return new Tensor(data, [labels.length, classes]);
}

/** Options of {@linkcode crossEntropy}. */
export interface CrossEntropyOptions {
  /** Mean over the batch (default) or sum. */
  reduction?: Reduction;
  /**
   * ε in [0, 1): the target becomes (1 − ε)·target + ε/C, as PyTorch's
   * `CrossEntropyLoss(label_smoothing=ε)` (default 0, the plain loss).
   */
  labelSmoothing?: number;
}

/**
 * Cross-entropy between softmax(logits) and the target distribution, for
 * logits of shape [N, C]. `target` is an [N, C] tensor (one-hot or
 * probabilities) or N class indices. Mean over the batch by default; with
 * `labelSmoothing` ε the target is mixed with the uniform distribution first.
 */
export function crossEntropy(
  logits: Tensor,
  target: Tensor | ArrayLike<number>,
  options: CrossEntropyOptions = {},
): Tensor {
  if (logits.ndim !== 2) {
    throw new ShapeError(`crossEntropy: logits must be [N, C], got ${showShape(logits.shape)}`);
  }
  const [n, c] = logits.shape;
  const t = target instanceof Tensor ? target : oneHot(target, c, { dtype: logits.dtype });
  checkSameDType("crossEntropy", logits, t);
  if (!sameShape(t.shape, logits.shape)) {
    throw new ShapeError(
      `crossEntropy: target ${showShape(t.shape)} does not match logits ${showShape(logits.shape)}`,
    );
  }
  const smoothing = options.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing < 1)) {
    throw new InklingError(`crossEntropy: labelSmoothing must be in [0, 1), got ${smoothing}`);
  }
  const scale = options.reduction === "sum" ? 1 : 1 / Math.max(n, 1);
  const logProbs = softmaxForward(logits, { axis: 1, log: true });
  // ε = 0 takes exactly the old path (no smoothed copy), so its numbers stay bit for bit.
  const mixed = smoothing === 0 ? t : noGrad(() => add(mul(t, 1 - smoothing), smoothing / c));
  const loss = new Tensor(allocate(logits.dtype, 1), []);
  loss.data[0] = -sum(mul(mixed, logProbs)).item() * scale;
  return record("crossEntropy", [logits, t], loss, (g) => {
    // d/dlogits = (softmax − target)·scale: the classic fused gradient, against the
    // smoothed target; the raw target reaches the loss through the factor 1 − ε.
    const probs = softmaxForward(logits, { axis: 1 });
    const dLogits = mul(sub(probs, mixed), g.item() * scale);
    const dTarget = t.requiresGrad ? mul(logProbs, -g.item() * scale * (1 - smoothing)) : null;
    return [dLogits, dTarget];
  });
}

/**
 * Squared error Σ(prediction − target)², summed (the assignment's autoencoder
 * loss) or averaged over elements ("mean": the MSE).
 *
 * One tape node instead of sub → mul → sum: the forward runs the same
 * kernels (so the same bits), and the backward is one pass,
 * 2·(g·(prediction − target)) (`Kernels.squaredErrorGrad`), where the
 * unfused rules broadcast g, multiplied it by the difference twice and added
 * the two products: four passes and four temporaries for the same bits
 * (x + x = 2x exactly). "mean" divides the sum by the count as
 * `mean` does, so its backward divides g the same way first.
 */
export function squaredError(
  prediction: Tensor,
  target: Tensor,
  options: { reduction?: Reduction } = {},
): Tensor {
  if (!sameShape(prediction.shape, target.shape)) {
    throw new ShapeError(
      `squaredError: prediction ${showShape(prediction.shape)} and target ${
        showShape(target.shape)
      } differ`,
    );
  }
  const dtype = checkSameDType("squaredError", prediction, target);
  const k = kernels();
  const diff = allocate(dtype, prediction.size);
  k.binary("sub", { a: prediction.data, b: target.data, out: diff });
  // The squares are dead once summed: a scratch array, not a new one per call.
  const squares = scratch("squaredError.squares", dtype, diff.length);
  k.binary("mul", { a: diff, b: diff, out: squares });
  // The reduction `sum` does: axis by axis, outermost first.
  const all = prediction.shape.map((_, i) => i);
  const total = new Tensor(sumAxes(new Tensor(squares, prediction.shape), all).data, []);
  const summed = record("squaredError", [prediction, target], total, (g, pass) => {
    // Only this closure holds diff, so the final pass writes the gradient over
    // it; an earlier one (retainGraph) allocates, as diff is still needed.
    const grad = new Tensor(pass.final ? diff : allocate(dtype, diff.length), prediction.shape);
    kernels().squaredErrorGrad(diff, { seed: g.data[0], out: grad.data });
    return [grad, target.requiresGrad ? neg(grad) : null];
  });
  return options.reduction === "mean" ? div(summed, prediction.size) : summed;
}

/** Mean squared error over all elements. */
export function mse(prediction: Tensor, target: Tensor): Tensor {
  return squaredError(prediction, target, { reduction: "mean" });
}
