/**
 * Peak signal-to-noise ratio, the assignment's measure of reconstruction
 * quality: per image, PSNR = 20·log10(MAX) − 10·log10(MSE), with MSE the
 * mean squared pixel error of that image and MAX the largest possible pixel
 * value (1 for images in [0, 1]).
 *
 * @module
 */

import { InklingError, ShapeError, showShape, type Tensor } from "../autograd/mod.ts";

/** Options of {@linkcode psnrPerImage} and {@linkcode meanPsnr}. */
export interface PsnrOptions {
  /** Largest possible pixel value (default 1). */
  max?: number;
}

/**
 * PSNR in dB of every row of `reconstruction` [N, P] against the same row of
 * `original` [N, P]. An exact reconstruction gives +Infinity.
 */
export function psnrPerImage(
  original: Tensor,
  reconstruction: Tensor,
  options: PsnrOptions = {},
): Float64Array {
  const max = options.max ?? 1;
  if (!(max > 0) || !Number.isFinite(max)) {
    throw new InklingError(`psnr: max must be a positive number, got ${max}`);
  }
  const [n, p] = original.shape;
  if (
    original.ndim !== 2 || reconstruction.ndim !== 2 || reconstruction.shape[0] !== n ||
    reconstruction.shape[1] !== p || p === 0
  ) {
    throw new ShapeError(
      `psnr: original ${showShape(original.shape)} and reconstruction ${
        showShape(reconstruction.shape)
      } are not the same [N, P] images`,
    );
  }
  const a = original.data;
  const b = reconstruction.data;
  const out = new Float64Array(n);
  const peak = 20 * Math.log10(max);
  for (let i = 0; i < n; i++) {
    let squares = 0;
    for (let j = i * p; j < (i + 1) * p; j++) squares += (a[j] - b[j]) ** 2;
    out[i] = peak - 10 * Math.log10(squares / p);
  }
  return out;
}

/** The mean over images of {@linkcode psnrPerImage} (the figure the assignment reports). */
export function meanPsnr(
  original: Tensor,
  reconstruction: Tensor,
  options: PsnrOptions = {},
): number {
  const values = psnrPerImage(original, reconstruction, options);
  if (values.length === 0) throw new ShapeError("psnr: no images");
  return values.reduce((s, v) => s + v, 0) / values.length;
}
