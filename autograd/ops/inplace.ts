/**
 * In-place updates for optimizers and batch buffers: the one sanctioned way
 * to write into a tensor's storage. They record nothing, so use them only on
 * leaves (parameters, optimizer state, a reused minibatch), never on tensors
 * a pending backward needs.
 *
 * @module
 */

import { InklingError, ShapeError } from "../errors.ts";
import { kernels } from "../kernels/backend.ts";
import { sameShape, showShape } from "../shape.ts";
import { checkSameDType, type Tensor } from "../tensor.ts";

/** target ← alpha·target + beta·source, element-wise, in place. */
export function scaleAddInPlace(
  target: Tensor,
  source: Tensor,
  options: { alpha?: number; beta?: number } = {},
): void {
  checkSameDType("scaleAddInPlace", target, source);
  if (!sameShape(target.shape, source.shape)) {
    throw new ShapeError(
      `scaleAddInPlace: target ${showShape(target.shape)} and source ${
        showShape(source.shape)
      } differ`,
    );
  }
  kernels().axpby({
    a: target.data,
    alpha: options.alpha ?? 1,
    b: source.data,
    beta: options.beta ?? 1,
    out: target.data,
  });
}

/** Options of {@linkcode sgdUpdateInPlace}. */
export interface SgdUpdateOptions {
  /** Learning rate. */
  lr: number;
  /** Momentum state, updated in place first (default none: plain SGD). */
  velocity?: Tensor;
  /** Momentum μ (default 0). */
  momentum?: number;
}

/**
 * One SGD step on `param` in place: param ← param − lr·grad, or with a
 * velocity, velocity ← μ·velocity − lr·grad then param ← param + velocity.
 * The same numbers as the {@linkcode scaleAddInPlace} calls it stands for,
 * in fewer passes where the backend fuses them (`Kernels.sgdUpdate`).
 */
export function sgdUpdateInPlace(param: Tensor, grad: Tensor, options: SgdUpdateOptions): void {
  const velocity = options.velocity;
  const others = velocity ? [grad, velocity] : [grad];
  checkSameDType("sgdUpdateInPlace", param, ...others);
  for (const other of others) {
    if (!sameShape(param.shape, other.shape)) {
      throw new ShapeError(
        `sgdUpdateInPlace: parameter ${showShape(param.shape)} and ${
          showShape(other.shape)
        } differ`,
      );
    }
  }
  kernels().sgdUpdate(param.data, {
    grad: grad.data,
    lr: options.lr,
    velocity: velocity?.data,
    momentum: options.momentum,
  });
}

/** Options of {@linkcode adamUpdateInPlace}. */
export interface AdamUpdateOptions {
  /** First moment, updated in place. */
  m: Tensor;
  /** Second moment, updated in place. */
  v: Tensor;
  /** Learning rate. */
  lr: number;
  /** Decay rate β₁ of the first moment. */
  beta1: number;
  /** Decay rate β₂ of the second moment. */
  beta2: number;
  /** Added to the corrected √v. */
  eps: number;
  /** L2 penalty λ: the gradient used is grad + λ·param (default 0: none). */
  weightDecay?: number;
  /** The step number t of the bias corrections, counted from 1. */
  step: number;
}

/**
 * One Adam step on `param`, `m` and `v` in place, from `grad` (left as it
 * is): with g′ = grad + λ·param,
 * m ← β₁·m + (1 − β₁)·g′, v ← β₂·v + (1 − β₂)·g′², and
 * param ← param − lr/(1 − β₁ᵗ) · m/(√(v/(1 − β₂ᵗ)) + ε). The same numbers as
 * the element-wise ops and {@linkcode scaleAddInPlace} calls it stands for,
 * in one pass and no temporaries (`Kernels.adamUpdate`). The four tensors
 * must not share storage.
 */
export function adamUpdateInPlace(param: Tensor, grad: Tensor, options: AdamUpdateOptions): void {
  const { m, v, step } = options;
  checkSameDType("adamUpdateInPlace", param, grad, m, v);
  for (const [name, other] of [["gradient", grad], ["m", m], ["v", v]] as const) {
    if (!sameShape(param.shape, other.shape)) {
      throw new ShapeError(
        `adamUpdateInPlace: parameter ${showShape(param.shape)} and ${name} ${
          showShape(other.shape)
        } differ`,
      );
    }
  }
  // Step 0 would divide by 1 − β⁰ = 0 and write NaN over the parameter.
  if (!Number.isInteger(step) || step < 1) {
    throw new InklingError(`adamUpdateInPlace: step must be an integer ≥ 1, got ${step}`);
  }
  kernels().adamUpdate(param.data, {
    grad: grad.data,
    m: m.data,
    v: v.data,
    lr: options.lr,
    beta1: options.beta1,
    beta2: options.beta2,
    eps: options.eps,
    weightDecay: options.weightDecay ?? 0,
    step,
  });
}

/**
 * target ← the rows of `source` listed in `rows`, as `gatherRows` computes
 * them, written into `target` [rows.length, …] instead of a new tensor: a
 * training loop gathers each minibatch into the same storage.
 */
export function gatherRowsInto(target: Tensor, source: Tensor, rows: Int32Array): void {
  checkSameDType("gatherRowsInto", target, source);
  const count = source.shape[0] ?? 0;
  const want = [rows.length, ...source.shape.slice(1)];
  if (!sameShape(target.shape, want)) {
    throw new ShapeError(
      `gatherRowsInto: target ${showShape(target.shape)} does not hold ${rows.length} rows of ${
        showShape(source.shape)
      }`,
    );
  }
  for (const r of rows) {
    if (r < 0 || r >= count) {
      throw new ShapeError(
        `gatherRowsInto: row ${r} is out of range for ${showShape(source.shape)}`,
      );
    }
  }
  const rowSize = source.size / Math.max(count, 1);
  kernels().gatherRows(source.data, { rows, rowSize, out: target.data });
}
