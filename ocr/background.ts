/**
 * Background normalisation of a photographed page: every colour channel is
 * divided by a smooth estimate of the bare paper under it, so shadows, uneven
 * lighting and tinted paper all become a flat 1 while ink, whatever its
 * colour, stays well below 1 in at least one channel.
 *
 * The work happens on a block-averaged copy of the image (at most `maxSide`
 * pixels on its longer side): averaging rather than point sampling keeps thin
 * pencil strokes from breaking up, and a page of handwriting needs no more
 * than that to find its characters. The paper estimate is a morphological
 * closing (a max then min filter, which erases any dark mark narrower than the
 * kernel) on a grid coarser still, followed by a box blur and bilinear
 * interpolation back up; {@linkcode NormalisedPage.ratioAt} applies the same
 * estimate to the image's own pixels.
 *
 * @module
 */

import { Image } from "image-js";
import type { Box } from "./box.ts";
import type { GreyImage } from "../formats/jpeg/mod.ts";

/** Options of {@linkcode normaliseBackground}. */
export interface NormaliseBackgroundOptions {
  /** Longest side of the working image in pixels (default 1600). */
  maxSide?: number;
}

/** A page divided by its paper estimate, at working resolution. */
export interface NormalisedPage {
  /** Width of the working image. */
  width: number;
  /** Height of the working image. */
  height: number;
  /** Image pixels per working pixel along each axis (an integer ≥ 1). */
  factor: number;
  /**
   * Per working pixel, the smallest over colour channels of channel ÷ paper
   * estimate: about 1 on paper, near 0 on black ink (row-major).
   */
  ratio: Float32Array;
  /**
   * The same ratio for every image pixel of `box` (rows `y1..y2-1`, columns
   * `x1..x2-1`), row-major with `x2 - x1` values per row.
   */
  ratioAt(box: Box): Float32Array;
}

/** Working pixels per cell of the paper-estimate grid. */
const GRID_CELL = 4;
/**
 * Side (in grid cells) of the closing kernel: 7 cells = 28 working pixels, far
 * wider than any pen stroke at working resolution, so strokes vanish from the
 * estimate, yet small next to the scale of shadows and lighting gradients.
 */
const CLOSING_CELLS = 7;
/** Side (in grid cells) of the box blur that smooths the blocky closing. */
const BLUR_CELLS = 5;
/** Paper estimates are floored here so a black photo border never divides by 0. */
const MIN_PAPER = 1 / 64;

/**
 * Normalises `image`: an image-js image (grey or colour, 8 or 16 bits, alpha
 * composited over white) or 8-bit grey pixels.
 */
export function normaliseBackground(
  image: Image | GreyImage,
  options: NormaliseBackgroundOptions = {},
): NormalisedPage {
  const maxSide = options.maxSide ?? 1600;
  const factor = Math.max(1, Math.ceil(Math.max(image.width, image.height) / maxSide));
  const pixels = rowReader(image);
  const planes = blockAverage(image, { pixels, factor });
  const width = Math.ceil(image.width / factor);
  const height = Math.ceil(image.height / factor);
  const papers = planes.map((plane) => paperEstimate(plane, { width, height }));

  const ratio = new Float32Array(width * height).fill(Infinity);
  planes.forEach((plane, c) => {
    const paper = papers[c].sampler(1 / GRID_CELL, [0, width]);
    for (let y = 0, i = 0; y < height; y++) {
      const row = paper(y);
      for (let x = 0; x < width; x++, i++) ratio[i] = Math.min(ratio[i], plane[i] / row[x]);
    }
  });

  function ratioAt([y1, x1, y2, x2]: Box): Float32Array {
    const w = x2 - x1;
    const out = new Float32Array(w * (y2 - y1)).fill(Infinity);
    const values = new Float32Array(w);
    const scale = 1 / (GRID_CELL * factor);
    for (let c = 0; c < papers.length; c++) {
      const paper = papers[c].sampler(scale, [x1, x2]);
      for (let y = y1, i = 0; y < y2; y++) {
        const row = paper(y);
        pixels.read(values, { c, y, x: x1 });
        for (let x = 0; x < w; x++, i++) out[i] = Math.min(out[i], values[x] / row[x]);
      }
    }
    return out;
  }

  return { width, height, factor, ratio, ratioAt };
}

/**
 * Reads runs of one channel's values in [0, 1], compositing alpha over
 * white (a transparent pixel is paper, whatever its colour values): `read`
 * fills `out` from column `x` of row `y`.
 */
function rowReader(image: Image | GreyImage) {
  if (!(image instanceof Image)) {
    const { grey, width } = image;
    return {
      components: 1,
      read(out: Float32Array, { y, x }: { c: number; y: number; x: number }): void {
        for (let i = 0, at = y * width + x; i < out.length; i++, at++) out[i] = grey[at] / 255;
      },
    };
  }
  const data = image.getRawImage().data;
  const step = image.channels;
  const components = image.components;
  const scale = 1 / image.maxValue;
  const alpha = image.alpha ? components : -1;
  return {
    components,
    read(out: Float32Array, { c, y, x }: { c: number; y: number; x: number }): void {
      for (let i = 0, at = (y * image.width + x) * step; i < out.length; i++, at += step) {
        const v = data[at + c] * scale;
        const a = alpha < 0 ? 1 : data[at + alpha] * scale;
        out[i] = v * a + 1 - a;
      }
    },
  };
}

/** One plane per colour channel, each the mean over `factor × factor` blocks. */
function blockAverage(
  image: { width: number; height: number },
  { pixels, factor }: { pixels: ReturnType<typeof rowReader>; factor: number },
): Float32Array[] {
  const width = Math.ceil(image.width / factor);
  const height = Math.ceil(image.height / factor);
  const planes = Array.from({ length: pixels.components }, () => new Float32Array(width * height));
  if (factor === 1) {
    // Blocks of one pixel: the rows go straight into the planes.
    planes.forEach((plane, c) => {
      for (let y = 0; y < height; y++) {
        pixels.read(plane.subarray(y * width, (y + 1) * width), { c, y, x: 0 });
      }
    });
    return planes;
  }
  const values = new Float32Array(image.width);
  for (let y = 0; y < image.height; y++) {
    const row = Math.floor(y / factor) * width;
    planes.forEach((plane, c) => {
      pixels.read(values, { c, y, x: 0 });
      for (let x = 0, block = 0; x < image.width; block++) {
        let sum = 0;
        for (const end = Math.min(image.width, x + factor); x < end; x++) sum += values[x];
        plane[row + block] += sum;
      }
    });
  }
  // Blocks on the right and bottom edges may be partial: divide by their true pixel count.
  for (let y = 0; y < height; y++) {
    const rows = Math.min(factor, image.height - y * factor);
    for (let x = 0; x < width; x++) {
      const count = rows * Math.min(factor, image.width - x * factor);
      for (const plane of planes) plane[y * width + x] /= count;
    }
  }
  return planes;
}

/** Closing then blur of one plane on the coarse grid, with a bilinear row sampler. */
function paperEstimate(
  plane: Float32Array,
  { width, height }: { width: number; height: number },
) {
  const gridWidth = Math.ceil(width / GRID_CELL);
  const gridHeight = Math.ceil(height / GRID_CELL);
  const sums = new Float64Array(gridWidth * gridHeight);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / GRID_CELL) * gridWidth;
    for (let x = 0, i = y * width; x < width; x++, i++) {
      sums[row + Math.floor(x / GRID_CELL)] += plane[i];
    }
  }
  const coarse = new Float32Array(sums.length);
  for (let gy = 0, i = 0; gy < gridHeight; gy++) {
    const rows = Math.min(GRID_CELL, height - gy * GRID_CELL);
    for (let gx = 0; gx < gridWidth; gx++, i++) {
      coarse[i] = Math.min(1, sums[i] / (rows * Math.min(GRID_CELL, width - gx * GRID_CELL)));
    }
  }
  const grid = { width: gridWidth, height: gridHeight };
  const dilated = windowFilter(coarse, grid, { side: CLOSING_CELLS, max: true });
  const paper = boxBlur(windowFilter(dilated, grid, { side: CLOSING_CELLS, max: false }), grid);
  for (let i = 0; i < paper.length; i++) paper[i] = Math.max(MIN_PAPER, paper[i]);

  return {
    /**
     * Returns `row(y)`: the estimate along row `y` of an image whose pixels
     * each span `scale` grid cells, for columns `from..to-1`. Pixel centres
     * map to grid coordinates (p + 0.5) · scale − 0.5.
     */
    sampler(scale: number, [from, to]: [number, number]) {
      const n = to - from;
      const x0 = new Int32Array(n);
      const x1 = new Int32Array(n);
      const fx = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const gx = clampTo((from + i + 0.5) * scale - 0.5, gridWidth - 1);
        x0[i] = Math.floor(gx);
        x1[i] = Math.min(gridWidth - 1, x0[i] + 1);
        fx[i] = gx - x0[i];
      }
      const out = new Float32Array(n);
      return (y: number): Float32Array => {
        const gy = clampTo((y + 0.5) * scale - 0.5, gridHeight - 1);
        const top = Math.floor(gy) * gridWidth;
        const bottom = Math.min(gridHeight - 1, Math.floor(gy) + 1) * gridWidth;
        const fy = gy - Math.floor(gy);
        for (let i = 0; i < n; i++) {
          const upper = paper[top + x0[i]] * (1 - fx[i]) + paper[top + x1[i]] * fx[i];
          const lower = paper[bottom + x0[i]] * (1 - fx[i]) + paper[bottom + x1[i]] * fx[i];
          out[i] = upper * (1 - fy) + lower * fy;
        }
        return out;
      };
    },
  };
}

/** `v` clamped to [0, `high`]. */
function clampTo(v: number, high: number): number {
  return Math.min(high, Math.max(0, v));
}

/**
 * The max (or min) over a `side × side` window centred on each value of the
 * `width × height` grid `values`, the window cut off at the grid's edges: a
 * dilation (or erosion) with a square of ones, separably, rows then columns.
 */
function windowFilter(
  values: Float32Array,
  { width, height }: { width: number; height: number },
  { side, max }: { side: number; max: boolean },
): Float32Array {
  const radius = (side - 1) / 2;
  const across = new Float32Array(values.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let best = values[y * width + x];
      const end = y * width + Math.min(width - 1, x + radius);
      for (let k = y * width + Math.max(0, x - radius); k <= end; k++) {
        if (max ? values[k] > best : values[k] < best) best = values[k];
      }
      across[y * width + x] = best;
    }
  }
  const out = new Float32Array(values.length);
  for (let y = 0; y < height; y++) {
    const top = Math.max(0, y - radius);
    const bottom = Math.min(height - 1, y + radius);
    for (let x = 0; x < width; x++) {
      let best = across[y * width + x];
      for (let k = top * width + x; k <= bottom * width + x; k += width) {
        if (max ? across[k] > best : across[k] < best) best = across[k];
      }
      out[y * width + x] = best;
    }
  }
  return out;
}

/**
 * The mean over a {@linkcode BLUR_CELLS}-wide square window centred on each
 * value, edges replicated outwards.
 */
function boxBlur(
  values: Float32Array,
  { width, height }: { width: number; height: number },
): Float32Array {
  const radius = (BLUR_CELLS - 1) / 2;
  // Index of each window position along an axis, edges repeated.
  const clamped = (n: number) =>
    Int32Array.from({ length: n + 2 * radius }, (_, i) => clampTo(i - radius, n - 1));
  const columns = clamped(width);
  const rows = clamped(height);
  const across = new Float32Array(values.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = x; k < x + BLUR_CELLS; k++) sum += values[y * width + columns[k]];
      across[y * width + x] = sum / BLUR_CELLS;
    }
  }
  const out = new Float32Array(values.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = y; k < y + BLUR_CELLS; k++) sum += across[rows[k] * width + x];
      out[y * width + x] = sum / BLUR_CELLS;
    }
  }
  return out;
}
