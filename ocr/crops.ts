/**
 * Classifier-ready crops: each character's box is cut from the binary page
 * and turned into a 32 × 32 image (or the size a model reads: EMNIST-style
 * models read 28 × 28 with a 2-pixel margin) that looks like the training
 * glyphs of {@linkcode renderGlyph}: the glyph fits a 24-pixel box centred in
 * the image, keeping its aspect ratio, anti-aliased, background 1 and ink 0.
 *
 * By default the stroke is normalised: the character is thinned to its
 * skeleton (at most 64 pixels on a side, which smooths ragged edges) and the
 * skeleton is redrawn by `renderGlyph` itself, with the training pen (0.08 ×
 * 32 = 2.56 pixels wide). A pencil line and a marker stroke then come out
 * alike, which matters more for accuracy than anything else in this step
 * (see the project's field notes).
 *
 * @module
 */

import { InklingError, ShapeError } from "../autograd/errors.ts";
import { Tensor } from "../autograd/tensor.ts";
import { renderGlyph } from "../datasets/unipen/render_glyph.ts";
import { defaultCrop } from "../models/classifier.ts";
import type { Box } from "./box.ts";
import { areaResample } from "./resample.ts";
import { type BinaryImage, erodeToPen, pruneSpurs, strokeWidth, thin } from "./skeleton.ts";

/** Side of a crop, as in NIST36. */
export const CROP_SIZE = 32;
/** Longest side a character is thinned at. */
const SKELETON_SIDE = 64;
/** A shrunk pixel at least this much covered by ink is ink (keeps thin pencil lines whole). */
const SKELETON_COVERAGE = 0.3;

/** Options of {@linkcode cropLetters}. */
export interface CropLettersOptions {
  /**
   * Order of the 1024 values of a crop's row:
   * - `"nist36"` (default): as NIST36 stores its images, transposed:
   *   reshaping the row to 32 × 32 and then transposing gives the upright
   *   glyph (the row is the upright image in column-major order);
   * - `"upright"`: the upright glyph in row-major order.
   */
  layout?: "nist36" | "upright";
  /**
   * `"skeleton"` (default): thin the character and redraw it with the
   * training pen; `"keep"`: resample the ink as photographed.
   */
  stroke?: "skeleton" | "keep";
  /** Pen width in crop pixels for `"skeleton"` (default 0.08 × size: 2.56, NIST36's training pen). */
  penWidth?: number;
  /** Side of a crop in pixels (default {@linkcode CROP_SIZE}, NIST36's; EMNIST's is 28). */
  size?: number;
  /**
   * Paper left around the glyph on its longer side, pixels (default size / 8,
   * as NIST36 and `renderGlyph` leave; EMNIST leaves 2).
   */
  margin?: number;
}

/** A crop's side and the span its glyph fills. */
interface CropGeometry {
  /** Side of the crop. */
  size: number;
  /** Side of the box the glyph fits into. */
  span: number;
}

/** The page the boxes were found on (see `findLetters`). */
export interface BinaryPage {
  /** Row-major `height × width`, 0 on ink, 1 on paper (below 0.5 counts as ink). */
  binary: Uint8Array | Float32Array;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/**
 * Crops every box of `boxes` from `page` and returns a float32 tensor
 * `[boxes.length, size²]` (1024 by default) with values in [0, 1]
 * (1 = paper), one crop per row in the order of `boxes`.
 */
export function cropLetters(
  page: BinaryPage,
  boxes: readonly Box[],
  options: CropLettersOptions = {},
): Tensor {
  if (page.binary.length !== page.width * page.height) {
    throw new ShapeError(
      `cropLetters: binary has ${page.binary.length} values, not ${page.width} × ${page.height}`,
    );
  }
  const size = options.size ?? CROP_SIZE;
  const margin = options.margin ?? defaultCrop(size).margin;
  if (!Number.isInteger(size) || size < 8 || size > 256 || !(margin >= 0 && margin < size / 2)) {
    throw new InklingError(`cropLetters: no crop of size ${size} with margin ${margin}`);
  }
  const geometry = { size, span: size - 2 * margin };
  const pixels = size * size;
  const out = new Float32Array(boxes.length * pixels);
  boxes.forEach((box, n) => {
    const ink = characterInk(page, checkedBox(box, page));
    const upright = options.stroke === "keep"
      ? resampleInk(ink, geometry)
      : redrawSkeleton(ink, geometry, options.penWidth ?? defaultCrop(size).penWidth);
    const row = out.subarray(n * pixels, (n + 1) * pixels);
    if (options.layout === "upright") row.set(upright);
    else {
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) row[x * size + y] = upright[y * size + x];
      }
    }
  });
  return new Tensor(out, [boxes.length, pixels]);
}

function checkedBox(box: Box, page: BinaryPage): Box {
  const [y1, x1, y2, x2] = box;
  const fits = [y1, x1, y2, x2].every(Number.isInteger) && 0 <= y1 && y1 < y2 &&
    y2 <= page.height && 0 <= x1 && x1 < x2 && x2 <= page.width;
  if (!fits) {
    throw new InklingError(
      `cropLetters: box [${box.join(", ")}] is not a non-empty integer box inside the ` +
        `${page.width} × ${page.height} page`,
    );
  }
  return box;
}

/**
 * The box's ink (1) without strokes of neighbouring characters that reach
 * into it: a connected piece of ink that continues past the box's edge
 * belongs to a neighbour (the character's own box is tight around its ink),
 * unless it is the largest piece, which is always kept.
 */
function characterInk(page: BinaryPage, [y1, x1, y2, x2]: Box): BinaryImage {
  const width = x2 - x1;
  const height = y2 - y1;
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      mask[y * width + x] = page.binary[(y1 + y) * page.width + x1 + x] < 0.5 ? 1 : 0;
    }
  }
  const inkOutside = (x: number, y: number) =>
    x >= 0 && y >= 0 && x < page.width && y < page.height &&
    page.binary[y * page.width + x] < 0.5 &&
    (x < x1 || x >= x2 || y < y1 || y >= y2);
  const { order, pieces } = connectedPieces({ mask, width, height });
  let largest = 0;
  for (let p = 1; p < pieces.length - 1; p++) {
    if (pieces[p + 1] - pieces[p] > pieces[largest + 1] - pieces[largest]) largest = p;
  }
  for (let p = 0; p < pieces.length - 1; p++) {
    if (p === largest) continue;
    const piece = order.subarray(pieces[p], pieces[p + 1]);
    const leaves = piece.some((i) => {
      const x = x1 + (i % width);
      const y = y1 + Math.floor(i / width);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) if (inkOutside(x + dx, y + dy)) return true;
      }
      return false;
    });
    if (leaves) { for (const i of piece) mask[i] = 0; }
  }
  return { mask, width, height };
}

/**
 * 8-connected pieces of ink: `order` lists the ink pixels' indices piece by
 * piece, piece p being `order[pieces[p]..pieces[p + 1])`.
 */
function connectedPieces(
  { mask, width, height }: BinaryImage,
): { order: Int32Array; pieces: number[] } {
  const seen = new Uint8Array(mask.length);
  const order = new Int32Array(mask.length);
  const pieces = [0];
  let end = 0;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    order[end++] = start;
    seen[start] = 1;
    for (let k = pieces[pieces.length - 1]; k < end; k++) {
      const x = order[k] % width;
      const y = (order[k] - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          const i = ny * width + nx;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height || !mask[i] || seen[i]) continue;
          seen[i] = 1;
          order[end++] = i;
        }
      }
    }
    pieces.push(end);
  }
  return { order: order.subarray(0, end), pieces };
}

/** The tight box of the ink of `image` (undefined if it has none). */
function inkBounds({ mask, width }: BinaryImage): Box | undefined {
  let [top, left, bottom, right] = [Infinity, Infinity, -1, -1];
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const x = i % width;
    const y = Math.floor(i / width);
    [top, left, bottom, right] = [
      Math.min(top, y),
      Math.min(left, x),
      Math.max(bottom, y),
      Math.max(right, x),
    ];
  }
  return bottom < 0 ? undefined : [top, left, bottom + 1, right + 1];
}

/** The ink as photographed, fitted into the glyph span and centred (row-major, 1 = paper). */
function resampleInk(ink: BinaryImage, { size, span }: CropGeometry): Float32Array {
  const output = { data: new Float32Array(size * size).fill(1), width: size, height: size };
  const bounds = inkBounds(ink);
  if (bounds === undefined) return output.data;
  const [y1, x1, y2, x2] = bounds;
  const w = x2 - x1;
  const h = y2 - y1;
  const paper = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) paper[y * w + x] = 1 - ink.mask[(y1 + y) * ink.width + x1 + x];
  }
  const scale = span / Math.max(w, h);
  areaResample({ data: paper, width: w, height: h }, output, {
    scale,
    left: (size - w * scale) / 2,
    top: (size - h * scale) / 2,
  });
  return output.data;
}

/**
 * Thins the ink (shrunk first so its longer side is at most
 * {@linkcode SKELETON_SIDE}) and renders the skeleton, one pen segment per
 * pair of touching skeleton pixels, with `renderGlyph`: the same centring,
 * pen and anti-aliasing as the training glyphs.
 *
 * The training glyphs fit their pen's centre lines into the glyph span (24 of 32 pixels). A
 * skeleton falls short of the centre lines where thick strokes meet at a
 * sharp angle (the apex of an A sits a stroke width below the true one), so
 * fitting the skeleton itself would enlarge such glyphs by 10 % or more.
 * Instead the centre lines' extent is estimated as the ink's extent less one
 * (median) stroke width, and `renderGlyph`'s margin is set so that extent, not the
 * skeleton's, fills the span.
 */
function redrawSkeleton(
  ink: BinaryImage,
  { size, span }: CropGeometry,
  penWidth: number,
): Float32Array {
  const shrunk = shrink(ink);
  const skeleton = thin({ ...shrunk, mask: shrunk.mask.slice() });
  const width = strokeWidth(shrunk, skeleton);
  const centreLines = Math.max(shrunk.width, shrunk.height) - width;
  // The training pen in shrunk pixels (the centre lines fill `span` crop pixels).
  const pen = penWidth * centreLines / span;
  if (width > pen) {
    // A marker: eroded to the training pen rather than thinned (thinning turns a thick O's
    // inner corner into a Q's tail and cuts stroke ends); the eroded ink spans the centre
    // lines plus the pen, so it fills span + penWidth.
    return resampleInk(erodeToPen(shrunk, { width, pen }), { size, span: span + penWidth });
  }
  // Bumps on a stroke's edge grow spurs about as long as the stroke is wide.
  pruneSpurs(skeleton, Math.max(2, Math.round(width)));
  const strokes = skeletonStrokes(skeleton);
  const reach = extent(strokes);
  const margin = reach > 0 && centreLines > reach
    ? (size - span * reach / centreLines) / 2
    : (size - span) / 2;
  return renderGlyph(strokes, { size, penWidth, margin });
}

/** Neighbours east, south-east, south and south-west: each touching pair is drawn once. */
const AHEAD = [1, 0, 1, 1, 0, 1, -1, 1];
/** The other four neighbours. */
const BEHIND = [-1, 0, -1, -1, 0, -1, 1, -1];

/** One pen segment per pair of touching skeleton pixels; a lone pixel is a dot. */
function skeletonStrokes({ mask, width, height }: BinaryImage): Float32Array[] {
  const strokes: Float32Array[] = [];
  const at = (x: number, y: number) =>
    x >= 0 && y >= 0 && x < width && y < height && mask[y * width + x] === 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!at(x, y)) continue;
      let touching = false;
      for (let k = 0; k < 8; k += 2) {
        if (!at(x + AHEAD[k], y + AHEAD[k + 1])) continue;
        strokes.push(Float32Array.of(x, y, x + AHEAD[k], y + AHEAD[k + 1]));
        touching = true;
      }
      for (let k = 0; k < 8 && !touching; k += 2) touching = at(x + BEHIND[k], y + BEHIND[k + 1]);
      if (!touching) strokes.push(Float32Array.of(x, y));
    }
  }
  return strokes;
}

/** The larger side of the points' bounding box. */
function extent(strokes: readonly Float32Array[]): number {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const stroke of strokes) {
    for (let i = 0; i + 1 < stroke.length; i += 2) {
      [minX, maxX] = [Math.min(minX, stroke[i]), Math.max(maxX, stroke[i])];
      [minY, maxY] = [Math.min(minY, stroke[i + 1]), Math.max(maxY, stroke[i + 1])];
    }
  }
  return strokes.length === 0 ? 0 : Math.max(maxX - minX, maxY - minY);
}

/** The ink's tight box, area-shrunk so its longer side is at most {@linkcode SKELETON_SIDE}. */
function shrink(ink: BinaryImage): BinaryImage {
  const bounds = inkBounds(ink) ?? [0, 0, 0, 0];
  const [y1, x1, y2, x2] = bounds;
  const w = x2 - x1;
  const h = y2 - y1;
  const scale = Math.min(1, SKELETON_SIDE / Math.max(w, h, 1));
  const width = Math.max(1, Math.round(w * scale));
  const height = Math.max(1, Math.round(h * scale));
  const source = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) source[y * w + x] = ink.mask[(y1 + y) * ink.width + x1 + x];
  }
  // Small enough already: the resampling would copy every pixel as it is.
  if (scale === 1 && w > 0) return { mask: Uint8Array.from(source), width: w, height: h };
  const coverage = areaResample({ data: source, width: w, height: h }, {
    data: new Float32Array(width * height),
    width,
    height,
  }, { scale, left: 0, top: 0 });
  const mask = Uint8Array.from(coverage.data, (c) => (c >= SKELETON_COVERAGE ? 1 : 0));
  return { mask, width, height };
}
