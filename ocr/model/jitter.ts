/**
 * Random affine jitter of glyph batches for training the character
 * classifier: each glyph is scaled, rotated, sheared and shifted by a small
 * random amount and resampled bilinearly. Handwriting in photos leans,
 * slants and sits off-centre in ways the UNIPEN renders do not, and
 * `shiftGlyphs` (integer shifts) covers only the last.
 *
 * The distributions are symmetric, so it does not matter that NIST36 stores
 * glyphs transposed: a transposed rotation or shear is another one from the
 * same range.
 *
 * @module
 */

import { type Rng, ShapeError, Tensor } from "../../autograd/mod.ts";

/** Options of {@linkcode jitterGlyphs}. */
export interface JitterOptions {
  /** Side of the square images (rows hold size² pixels). */
  size: number;
  /** Largest shift in pixels along each axis (uniform, continuous). */
  maxShift: number;
  /** Largest relative change of size: the scale is uniform in [1 − s, 1 + s]. */
  maxScale: number;
  /** Largest rotation in radians. */
  maxRotation: number;
  /** Largest shear (x moves by shear × y). */
  maxShear: number;
  /** Value of pixels mapped from outside the glyph (default 1: white paper). */
  fill?: number;
}

/** Jitters every image of `x` `[N, size²]`; a new tensor. */
export function jitterGlyphs(x: Tensor, rng: Rng, options: JitterOptions): Tensor {
  const { size } = options;
  const area = size * size;
  if (x.ndim !== 2 || x.shape[1] !== area) {
    throw new ShapeError(`jitterGlyphs: expected [N, ${area}] images, got [${x.shape.join(", ")}]`);
  }
  const fill = options.fill ?? 1;
  const src = x.data;
  const out = new Float32Array(x.size);
  const centre = (size - 1) / 2;
  for (let n = 0; n < x.shape[0]; n++) {
    const scale = rng.uniform(1 - options.maxScale, 1 + options.maxScale);
    const angle = rng.uniform(-options.maxRotation, options.maxRotation);
    const shear = rng.uniform(-options.maxShear, options.maxShear);
    const shiftX = rng.uniform(-options.maxShift, options.maxShift);
    const shiftY = rng.uniform(-options.maxShift, options.maxShift);
    // Forward map: scale · rotation · shear. Its inverse takes each output
    // pixel back to where it samples the source.
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    const [a, b, c, d] = [
      scale * cos,
      scale * (cos * shear - sin),
      scale * sin,
      scale * (sin * shear + cos),
    ];
    const det = a * d - b * c;
    const [ia, ib, ic, id] = [d / det, -b / det, -c / det, a / det];
    const base = n * area;
    for (let y = 0; y < size; y++) {
      for (let col = 0; col < size; col++) {
        const u = col - centre - shiftX;
        const v = y - centre - shiftY;
        const sx = ia * u + ib * v + centre;
        const sy = ic * u + id * v + centre;
        out[base + y * size + col] = bilinear(src, { base, size, fill }, sx, sy);
      }
    }
  }
  return new Tensor(out, x.shape);
}

/** The image at real coordinates (`x` column, `y` row), `fill` outside. */
function bilinear(
  src: ArrayLike<number>,
  image: { base: number; size: number; fill: number },
  x: number,
  y: number,
): number {
  const { base, size, fill } = image;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (cx: number, cy: number) =>
    cx < 0 || cy < 0 || cx >= size || cy >= size ? fill : src[base + cy * size + cx];
  const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
  const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
  return top * (1 - fy) + bottom * fy;
}
