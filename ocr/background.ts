/**
 * Background normalisation of a photographed page: every colour channel is
 * divided by a smooth estimate of the bare paper under it, so shadows, uneven
 * lighting and tinted paper all become a flat 1 while ink, whatever its
 * colour, stays well below 1 in at least one channel.
 *
 * The work happens on a block-averaged copy of the photo (at most `maxSide`
 * pixels on its longer side): averaging rather than point sampling keeps thin
 * pencil strokes from breaking up, and a page of handwriting needs no more
 * than that to find its characters. The paper estimate is a morphological
 * closing (a max then min filter, which erases any dark mark narrower than the
 * kernel) on a grid coarser still, followed by a box blur and bilinear
 * interpolation back up; {@linkcode NormalisedPage.ratioAt} applies the same
 * estimate to full-resolution pixels.
 *
 * @module
 */

import { Image } from "image-js";
import type { Box } from "./box.ts";

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
  /** Full-resolution pixels per working pixel along each axis (an integer ≥ 1). */
  factor: number;
  /**
   * Per working pixel, the smallest over colour channels of channel ÷ paper
   * estimate: about 1 on paper, near 0 on black ink (row-major).
   */
  ratio: Float32Array;
  /**
   * The same ratio for every full-resolution pixel of `box` (rows `y1..y2-1`,
   * columns `x1..x2-1`), row-major with `x2 - x1` values per row.
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
const U16_MAX = 65535;

/** Normalises `image` (grey or colour, 8 or 16 bits, alpha composited over white). */
export function normaliseBackground(
  image: Image,
  options: NormaliseBackgroundOptions = {},
): NormalisedPage {
  const maxSide = options.maxSide ?? 1600;
  const factor = Math.max(1, Math.ceil(Math.max(image.width, image.height) / maxSide));
  const pixels = pixelReader(image);
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
    const scale = 1 / (GRID_CELL * factor);
    for (let c = 0; c < papers.length; c++) {
      const paper = papers[c].sampler(scale, [x1, x2]);
      for (let y = y1, i = 0; y < y2; y++) {
        const row = paper(y);
        for (let x = 0; x < w; x++, i++) {
          out[i] = Math.min(
            out[i],
            pixels.value((y * image.width + x1 + x) * pixels.step, c) / row[x],
          );
        }
      }
    }
    return out;
  }

  return { width, height, factor, ratio, ratioAt };
}

/**
 * Reads channel values in [0, 1], compositing alpha over white: a
 * transparent pixel is paper, whatever its colour values.
 */
function pixelReader(image: Image) {
  const data = image.getRawImage().data;
  const step = image.channels;
  const components = image.components;
  const scale = 1 / image.maxValue;
  const alpha = image.alpha ? components : -1;
  return {
    step,
    components,
    value(offset: number, c: number): number {
      const v = data[offset + c] * scale;
      if (alpha < 0) return v;
      const a = data[offset + alpha] * scale;
      return v * a + 1 - a;
    },
  };
}

/** One plane per colour channel, each the mean over `factor × factor` blocks. */
function blockAverage(
  image: Image,
  { pixels, factor }: { pixels: ReturnType<typeof pixelReader>; factor: number },
): Float32Array[] {
  const width = Math.ceil(image.width / factor);
  const height = Math.ceil(image.height / factor);
  const planes = Array.from({ length: pixels.components }, () => new Float32Array(width * height));
  const column = new Int32Array(image.width);
  for (let x = 0; x < image.width; x++) column[x] = Math.floor(x / factor);
  for (let y = 0; y < image.height; y++) {
    const row = Math.floor(y / factor) * width;
    for (let c = 0; c < pixels.components; c++) {
      const plane = planes[c];
      let offset = y * image.width * pixels.step;
      for (let x = 0; x < image.width; x++, offset += pixels.step) {
        plane[row + column[x]] += pixels.value(offset, c);
      }
    }
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
  const counts = new Uint32Array(gridWidth * gridHeight);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / GRID_CELL) * gridWidth;
    for (let x = 0; x < width; x++) {
      sums[row + Math.floor(x / GRID_CELL)] += plane[y * width + x];
      counts[row + Math.floor(x / GRID_CELL)]++;
    }
  }
  const coarse = new Uint16Array(sums.length);
  for (let i = 0; i < coarse.length; i++) {
    coarse[i] = Math.round(Math.min(1, sums[i] / counts[i]) * U16_MAX);
  }
  const ones = (n: number) => Array.from({ length: n }, () => new Array<number>(n).fill(1));
  // image-js needs the blur's radius to be less than the image's side.
  const blur = Math.min(BLUR_CELLS, 2 * Math.min(gridWidth, gridHeight) - 1);
  const grid = new Image(gridWidth, gridHeight, { colorModel: "GREY", bitDepth: 16, data: coarse })
    .close({ kernel: ones(CLOSING_CELLS) })
    .blur({ width: blur, height: blur, borderType: "replicate" })
    .getRawImage().data;
  const paper = Float32Array.from(grid, (v) => Math.max(MIN_PAPER, v / U16_MAX));

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
