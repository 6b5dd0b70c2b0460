/**
 * Light augmentation of planar image batches `[N, C, H, W]`: a random crop
 * of 80–100 % of the side resized back (bilinear) and a coin-flip mirror,
 * the "flips and crops" that fine-tuning and the small CNN train with; and
 * an antialiased resize of whole batches for the small CNN's lower
 * resolution. Pure functions of their inputs and a seeded {@linkcode Rng}.
 *
 * @module
 */

import { InklingError, type Rng, Tensor } from "../autograd/mod.ts";
import { resizeCropPlanar } from "../datasets/flowers17/mod.ts";

/** How a crop is drawn: its side as a fraction of the image side. */
export interface CropFlipOptions {
  /** Smallest crop side, as a fraction of the image side (default 0.8). */
  minScale?: number;
  /** Mirror with probability one half (default true). */
  flip?: boolean;
}

/** One image's crop: the top-left corner, the side, and whether to mirror it. */
export interface CropFlip {
  /** First row of the crop. */
  top: number;
  /** First column of the crop. */
  left: number;
  /** Side of the square crop in pixels. */
  side: number;
  /** Mirror left–right. */
  flip: boolean;
}

/** Draws one crop of a `size × size` image (the identity when `minScale` is 1 and flip is off). */
export function drawCropFlip(size: number, rng: Rng, options: CropFlipOptions = {}): CropFlip {
  const minScale = options.minScale ?? 0.8;
  if (!(minScale > 0 && minScale <= 1)) {
    throw new InklingError(`minScale must be in (0, 1], not ${minScale}`);
  }
  const side = Math.max(1, Math.round(size * rng.uniform(minScale, 1)));
  return {
    side,
    top: rng.int(size - side + 1),
    left: rng.int(size - side + 1),
    flip: (options.flip ?? true) && rng.next() < 0.5,
  };
}

/**
 * Applies `crops[i]` to image `i` of `x` (`[N, C, S, S]`): each crop is
 * resized back to `S × S` with bilinear interpolation (pixel centres
 * aligned) and mirrored when asked.
 */
export function applyCropFlip(x: Tensor, crops: readonly CropFlip[]): Tensor {
  const [n, channels, height, width] = x.shape;
  if (x.ndim !== 4 || height !== width || crops.length !== n) {
    throw new InklingError(
      `applyCropFlip needs [N, C, S, S] images and one crop per image, got [${x.shape}] and ${crops.length}`,
    );
  }
  const size = height;
  const src = x.data;
  const out = new Float32Array(x.size);
  const x0 = new Int32Array(size), x1 = new Int32Array(size), fx = new Float32Array(size);
  for (let i = 0; i < n; i++) {
    const { top, left, side, flip } = crops[i];
    const step = side / size;
    // Column taps are shared by every row and plane of the image.
    for (let c = 0; c < size; c++) {
      const at = Math.min(Math.max((c + 0.5) * step - 0.5, 0), side - 1);
      const lo = Math.floor(at);
      const dest = flip ? size - 1 - c : c;
      x0[dest] = left + lo;
      x1[dest] = left + Math.min(lo + 1, side - 1);
      fx[dest] = at - lo;
    }
    for (let p = 0; p < channels; p++) {
      const plane = (i * channels + p) * size * size;
      for (let r = 0; r < size; r++) {
        const at = Math.min(Math.max((r + 0.5) * step - 0.5, 0), side - 1);
        const lo = Math.floor(at);
        const fy = at - lo;
        const row0 = plane + (top + lo) * size;
        const row1 = plane + (top + Math.min(lo + 1, side - 1)) * size;
        const to = plane + r * size;
        for (let c = 0; c < size; c++) {
          const a = src[row0 + x0[c]] + (src[row0 + x1[c]] - src[row0 + x0[c]]) * fx[c];
          const b = src[row1 + x0[c]] + (src[row1 + x1[c]] - src[row1 + x0[c]]) * fx[c];
          out[to + c] = a + (b - a) * fy;
        }
      }
    }
  }
  return new Tensor(out, [...x.shape]);
}

/** `randomCropFlip` as a training augmentation of whole batches (labels unchanged). */
export function cropFlipBatches(
  options: CropFlipOptions,
): <B extends { x: Tensor }>(batch: B, rng: Rng) => B {
  return (batch, rng) => ({ ...batch, x: randomCropFlip(batch.x, rng, options) });
}

/** A random crop and mirror of every image of `x`, drawn from `rng`. */
export function randomCropFlip(x: Tensor, rng: Rng, options: CropFlipOptions = {}): Tensor {
  const crops = Array.from({ length: x.shape[0] }, () => drawCropFlip(x.shape[2], rng, options));
  return applyCropFlip(x, crops);
}

/** Every image of `x` (`[N, C, S, S]`) mirrored left–right. */
export function flipImages(x: Tensor): Tensor {
  const size = x.shape[2];
  const identity = { top: 0, left: 0, side: size, flip: true };
  return applyCropFlip(x, Array.from({ length: x.shape[0] }, () => identity));
}

/**
 * `x` (`[N, C, S, S]`) resized to `size × size` with the antialiased
 * triangle filter of the data set's own preprocessing, then mapped through
 * `value × scale + offset` (e.g. to centre raw 0–255 values).
 */
export function resizeImages(
  x: Tensor,
  size: number,
  options: { scale?: number; offset?: number } = {},
): Tensor {
  const [n, channels, height, width] = x.shape;
  const scale = [options.scale ?? 1];
  const offset = [options.offset ?? 0];
  const out = new Float32Array(n * channels * size * size);
  for (let plane = 0; plane < n * channels; plane++) {
    const data = x.data.subarray(plane * height * width, (plane + 1) * height * width);
    resizeCropPlanar({ data, width, height, channels: 1 }, {
      size,
      resizeTo: size,
      planes: [0],
      scale,
      offset,
      out,
      outOffset: plane * size * size,
    });
  }
  return new Tensor(out, [n, channels, size, size]);
}
