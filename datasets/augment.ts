/**
 * Augmentation of glyph batches (rows of `size²` pixels, white paper = 1):
 * {@linkcode shiftGlyphs} moves each glyph by a random whole number of
 * pixels, the cheapest way to make a small MLP tolerate where a character
 * sits in its box (on the UNIPEN-built NIST36 set, ±2 px shifts lift the
 * 1024-64-36 network's validation accuracy from about 75% to 77% at the same
 * settings); {@linkcode jitterGlyphs} scales, rotates, shears and shifts each
 * glyph by small random amounts and resamples it bilinearly, because
 * handwriting in photos leans, slants and sits off-centre in ways the UNIPEN
 * renders do not (the default OCR model is trained with it), and can bend
 * strokes with an elastic distortion on top, for the way one writer's
 * letters differ from another's.
 *
 * The distributions are symmetric, so it does not matter that NIST36 stores
 * glyphs transposed: a transposed rotation or shear is another one from the
 * same range.
 *
 * @module
 */

import { type Rng, ShapeError, Tensor } from "../autograd/mod.ts";
import { elasticField } from "./elastic.ts";

/** Throws unless `x` is `[N, size²]`; returns `size²`. */
function glyphArea(x: Tensor, size: number, op: string): number {
  const area = size * size;
  if (x.ndim !== 2 || x.shape[1] !== area) {
    throw new ShapeError(`${op}: expected [N, ${area}] images, got [${x.shape.join(", ")}]`);
  }
  return area;
}

/** Options of {@linkcode shiftGlyphs}. */
export interface ShiftOptions {
  /** Side of the square images (rows hold size² pixels). */
  size: number;
  /** Largest shift in pixels along each axis (uniform in −max..max). */
  maxShift: number;
  /** Value of uncovered pixels (default 1: white paper). */
  fill?: number;
}

/** Shifts every image of x [N, size²] by a random offset; a new tensor. */
export function shiftGlyphs(x: Tensor, rng: Rng, options: ShiftOptions): Tensor {
  const { size, maxShift } = options;
  const area = glyphArea(x, size, "shiftGlyphs");
  const src = x.data;
  const out = new Float32Array(x.size).fill(options.fill ?? 1);
  for (let i = 0; i < x.shape[0]; i++) {
    const dy = rng.int(2 * maxShift + 1) - maxShift;
    const dx = rng.int(2 * maxShift + 1) - maxShift;
    const base = i * area;
    for (let y = Math.max(0, dy); y < Math.min(size, size + dy); y++) {
      const from = base + (y - dy) * size;
      const to = base + y * size;
      for (let c = Math.max(0, dx); c < Math.min(size, size + dx); c++) {
        out[to + c] = src[from + c - dx];
      }
    }
  }
  return new Tensor(out, x.shape);
}

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
  /** Elastic distortion on top of the affine map (see `elastic.ts`); none when omitted. */
  elastic?: { maxDisplacement: number; sigma: number };
}

/** Jitters every image of `x` `[N, size²]`; a new tensor. */
export function jitterGlyphs(x: Tensor, rng: Rng, options: JitterOptions): Tensor {
  const { size } = options;
  const area = glyphArea(x, size, "jitterGlyphs");
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
    // Drawn only when asked for, so plain jitter keeps its random stream.
    const field = options.elastic && elasticField(rng, { size, ...options.elastic });
    for (let y = 0; y < size; y++) {
      for (let col = 0; col < size; col++) {
        const u = col - centre - shiftX;
        const v = y - centre - shiftY;
        const at = y * size + col;
        const sx = ia * u + ib * v + centre + (field ? field.dx[at] : 0);
        const sy = ic * u + id * v + centre + (field ? field.dy[at] : 0);
        out[base + at] = bilinear(src, { base, size, fill }, sx, sy);
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
