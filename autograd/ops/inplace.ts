/**
 * In-place updates for optimizers: the one sanctioned way to write into a
 * tensor's storage. They record nothing, so use them only on leaves
 * (parameters, optimizer state), never on tensors a pending backward needs.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
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
