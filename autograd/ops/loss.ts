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
  if (!(target instanceof Tensor) && (options.labelSmoothing ?? 0) === 0) {
    return crossEntropyLabels(logits, target, options.reduction);
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
 * crossEntropy from class indices without smoothing (the common path), fused:
 * the same numbers, bit for bit on every backend, as the general path with
 * a one-hot target, without its one-hot, product, partial sums, softmax,
 * difference and scalar temporaries.
 *
 * Forward: log-softmax into a scratch array; the general path's
 * Σ one-hot·logProbs sums axis 0 then axis 1, each in doubles
 * (`Kernels.sumAxis`), so the column sums are accumulated here the same way,
 * row by row (the one-hot's zeros add ±0, which changes no sum, or NaN where
 * a log-probability is not finite, which is kept), rounded to the dtype, and
 * summed by the kernel itself. Backward: the softmax kernel into the
 * gradient, 1 subtracted at each label (p − 0 = p elsewhere), times the
 * scale rounded to the dtype as `mul` rounds a number: one new array.
 */
function crossEntropyLabels(
  logits: Tensor,
  target: ArrayLike<number>,
  reduction: Reduction | undefined,
): Tensor {
  const [n, c] = logits.shape;
  const labels = new Int32Array(target.length);
  for (let i = 0; i < target.length; i++) {
    const label = target[i];
    if (!Number.isInteger(label) || label < 0 || label >= c) {
      throw new ShapeError(`oneHot: label ${label} at ${i} is not in 0..${c - 1}`);
    }
    labels[i] = label;
  }
  if (labels.length !== n) {
    throw new ShapeError(
      `crossEntropy: target ${showShape([labels.length, c])} does not match logits ${
        showShape(logits.shape)
      }`,
    );
  }
  const dtype = logits.dtype;
  const scale = reduction === "sum" ? 1 : 1 / Math.max(n, 1);
  const k = kernels();
  const layout = { outer: n, size: c, inner: 1 };
  const logProbs = scratch("crossEntropy.logProbs", dtype, n * c);
  k.softmax(logits.data, { ...layout, out: logProbs, log: true });
  const columns = scratch("crossEntropy.columns", "float64", c);
  columns.fill(0);
  for (let i = 0, row = 0; i < n; i++, row += c) {
    const label = labels[i];
    for (let j = 0; j < c; j++) {
      const v = logProbs[row + j];
      columns[j] += j === label ? v : 0 * v;
    }
  }
  let rounded = columns;
  if (dtype !== "float64") {
    rounded = scratch("crossEntropy.rounded", dtype, c);
    rounded.set(columns);
  }
  const total = scratch("crossEntropy.total", dtype, 1);
  k.sumAxis(rounded, { outer: 1, size: c, inner: 1, out: total });
  const loss = new Tensor(allocate(dtype, 1), []);
  loss.data[0] = -total[0] * scale;
  return record("crossEntropy", [logits], loss, (g) => {
    const grad = allocate(dtype, n * c);
    kernels().softmax(logits.data, { ...layout, out: grad });
    for (let i = 0; i < n; i++) grad[i * c + labels[i]] -= 1;
    const seed = g.item() * scale;
    const s = dtype === "float64" ? seed : Math.fround(seed);
    for (let i = 0; i < grad.length; i++) grad[i] *= s;
    return [new Tensor(grad, logits.shape)];
  });
}

/**
 * Squared error Σ(prediction − target)², summed (the assignment's autoencoder
 * loss) or averaged over elements ("mean": the MSE).
 *
 * One tape node instead of sub → mul → sum: the forward is one pass over the
 * inputs (`Kernels.squaredDiffColumns`: difference, squares and the sum over
 * the first axis, which round as those three kernels do, so the same bits)
 * and the sums over the remaining axes; the backward is one pass,
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
  // Written whole: diff by squaredDiffColumns or sub, columns by squaredDiffColumns.
  const diff = allocate(dtype, prediction.size, { written: true });
  // The reduction `sum` does: axis by axis, outermost first. The first axis
  // runs fused with the difference and the squares (squaredDiffColumns)
  // unless the rows are single elements, where sumAxis is a plain sum.
  const width = prediction.size / Math.max(prediction.shape[0] ?? 1, 1);
  let total: Tensor;
  if (prediction.ndim > 0 && width > 1) {
    const columns = allocate(dtype, width, { written: true });
    k.squaredDiffColumns(prediction.data, target.data, { diff, out: columns });
    const rest = prediction.shape.slice(1).map((_, i) => i + 1);
    const kept = sumAxes(new Tensor(columns, [1, ...prediction.shape.slice(1)]), rest);
    total = new Tensor(kept.data, []);
  } else {
    k.binary("sub", { a: prediction.data, b: target.data, out: diff });
    // The squares are dead once summed: a scratch array, not a new one per call.
    const squares = scratch("squaredError.squares", dtype, diff.length);
    k.binary("mul", { a: diff, b: diff, out: squares });
    const all = prediction.shape.map((_, i) => i);
    total = new Tensor(sumAxes(new Tensor(squares, prediction.shape), all).data, []);
  }
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
