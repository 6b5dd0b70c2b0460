/**
 * Rasterises pen strokes into a small anti-aliased grey image, the way the
 * NIST36/EMNIST character images look: the glyph is scaled to fit (keeping
 * its aspect ratio), centred by its bounding box, and drawn with a round pen
 * whose width is proportional to the image size.
 *
 * Anti-aliasing is exact for a 1-D box filter across the stroke: each pen
 * segment is a capsule (all points within `penWidth / 2` of the segment), and
 * a pixel's ink is the overlap of the pixel's extent, measured along its
 * distance to the nearest capsule axis, with the pen's extent.
 *
 * @module
 */

import { InklingError, ShapeError } from "../../autograd/errors.ts";
import type { Rng } from "../../autograd/rng.ts";
import { visitCapsule } from "./capsule.ts";

/** Options of {@linkcode renderGlyph}. */
export interface RenderGlyphOptions {
  /** Side of the square output image, in pixels. */
  size: number;
  /**
   * Pixels between the border and the box the stroke centrelines are fitted
   * into (the pen's half width reaches into it). Default `size / 8`, i.e. a
   * 24-pixel glyph span in a 32-pixel image.
   */
  margin?: number;
  /**
   * Pen width in pixels, default `0.08 * size` (2.56 px at 32 × 32). A
   * `[min, max]` pair draws the width uniformly for this glyph from `rng`,
   * for augmentation.
   */
  penWidth?: number | readonly [number, number];
  /** Generator for a random pen width; required when `penWidth` is a range. */
  rng?: Rng;
  /**
   * `"black"` (default, the NIST36 convention): background 1, ink 0.
   * `"white"` (the MNIST convention): background 0, ink 1.
   */
  ink?: "black" | "white";
  /** Image to draw into (length `size * size`, row-major); a new one by default. */
  out?: Float32Array;
}

/** Pen points closer than this (pixels) to the last kept one add nothing visible. */
const MIN_STEP = 0.25;

/**
 * Renders `strokes` (x, y pairs, y pointing down, any unit) into a
 * `size × size` row-major image with values in [0, 1]. A stroke of one point
 * is drawn as a disc; no stroke at all gives a blank image.
 */
export function renderGlyph(
  strokes: readonly Float32Array[],
  options: RenderGlyphOptions,
): Float32Array {
  const { size, ink = "black" } = options;
  if (!Number.isInteger(size) || size < 1) {
    throw new InklingError(`renderGlyph: size must be a positive integer, got ${size}`);
  }
  const margin = options.margin ?? size / 8;
  const span = size - 2 * margin;
  if (!(margin >= 0 && span > 0)) {
    throw new InklingError(`renderGlyph: margin ${margin} leaves no room in ${size} pixels`);
  }
  const radius = penWidth(options) / 2;
  const out = options.out ?? new Float32Array(size * size);
  if (out.length !== size * size) {
    throw new ShapeError(`renderGlyph: out has ${out.length} values, expected ${size * size}`);
  }

  const box = strokeBounds(strokes);
  const extent = Math.max(box.maxX - box.minX, box.maxY - box.minY);
  const scale = extent > 0 ? span / extent : 0;
  const toPixels = {
    scale,
    x: size / 2 - scale * (box.minX + box.maxX) / 2,
    y: size / 2 - scale * (box.minY + box.maxY) / 2,
  };
  const distance2 = new Float32Array(size * size).fill(Infinity);
  for (const stroke of strokes) drawStroke(distance2, size, stroke, toPixels, radius);

  const black = ink === "black";
  for (let i = 0; i < out.length; i++) {
    const d = Math.sqrt(distance2[i]);
    const coverage = Math.min(
      1,
      Math.max(0, Math.min(d + 0.5, radius) - Math.max(d - 0.5, -radius)),
    );
    out[i] = black ? 1 - coverage : coverage;
  }
  return out;
}

function penWidth(options: RenderGlyphOptions): number {
  const width = options.penWidth ?? 0.08 * options.size;
  if (typeof width === "number") {
    if (!(width > 0)) throw new InklingError(`renderGlyph: penWidth must be > 0, got ${width}`);
    return width;
  }
  const [low, high] = width;
  if (!(low > 0 && high >= low)) {
    throw new InklingError(`renderGlyph: penWidth range [${low}, ${high}] is not 0 < min <= max`);
  }
  if (options.rng === undefined) {
    throw new InklingError("renderGlyph: a penWidth range needs an rng");
  }
  return options.rng.uniform(low, high);
}

/** The smallest box around every point of `strokes` (x, y pairs); min > max when there is no point. */
export function strokeBounds(
  strokes: readonly Float32Array[],
): { minX: number; minY: number; maxX: number; maxY: number } {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const stroke of strokes) {
    for (let i = 0; i + 1 < stroke.length; i += 2) {
      minX = Math.min(minX, stroke[i]);
      maxX = Math.max(maxX, stroke[i]);
      minY = Math.min(minY, stroke[i + 1]);
      maxY = Math.max(maxY, stroke[i + 1]);
    }
  }
  return { minX, minY, maxX, maxY };
}

/** Lowers `distance2` (squared distance to the nearest pen axis) along one stroke. */
function drawStroke(
  distance2: Float32Array,
  size: number,
  stroke: Float32Array,
  toPixels: { scale: number; x: number; y: number },
  radius: number,
): void {
  const points = stroke.length >> 1;
  if (points === 0) return;
  let ax = toPixels.x + toPixels.scale * stroke[0];
  let ay = toPixels.y + toPixels.scale * stroke[1];
  let drewSegment = false;
  for (let i = 1; i < points; i++) {
    const bx = toPixels.x + toPixels.scale * stroke[2 * i];
    const by = toPixels.y + toPixels.scale * stroke[2 * i + 1];
    const far = Math.abs(bx - ax) + Math.abs(by - ay) >= MIN_STEP;
    if (!far && (i < points - 1 || drewSegment)) continue;
    drawCapsule(distance2, size, ax, ay, bx, by, radius);
    drewSegment = true;
    ax = bx;
    ay = by;
  }
  // A one-point stroke (a dot) is a capsule of length zero: a disc.
  if (!drewSegment) drawCapsule(distance2, size, ax, ay, ax, ay, radius);
}

/** Keeps, per pixel of `distance2`, the squared distance to the nearest pen axis so far. */
function drawCapsule(
  distance2: Float32Array,
  size: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
  radius: number,
): void {
  visitCapsule({ ax, ay, bx, by, radius }, { width: size, height: size }, (index, d2) => {
    if (d2 < distance2[index]) distance2[index] = d2;
  });
}
