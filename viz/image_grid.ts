/**
 * Grids of small greyscale images as PNG: first-layer weights (one tile per
 * hidden unit), reconstructions, character crops. Pixels are composed
 * directly, with no SVG in between, so a 64-tile grid is exact to the pixel.
 *
 * @module
 */

import { InklingError, ShapeError } from "../autograd/errors.ts";
import { encodePng, type RasterImage } from "../formats/png.ts";

/** Anything with flat row-major `data` and a `shape`, such as an Inkling `Tensor`. */
export interface TensorLike {
  /** Flat row-major elements. */
  readonly data: ArrayLike<number>;
  /** Extent of each dimension, outermost first. */
  readonly shape: readonly number[];
}

/** Options of {@linkcode imageGrid}. */
export interface ImageGridOptions {
  /** Width of one tile in pixels (before scaling). */
  width: number;
  /** Height of one tile in pixels (before scaling). */
  height: number;
  /** Tiles per row. Default ⌈√N⌉. */
  columns?: number;
  /**
   * Grey levels: "each" maps every tile's own min…max to black…white (weights),
   * "global" uses the min…max of all tiles (comparable brightness), "none"
   * takes values as 0…1 and clamps. Constant tiles come out mid-grey.
   * Default "each".
   */
  normalize?: "each" | "global" | "none";
  /**
   * Where the tiles are in a matrix: "rows" = one tile per row, [N, H·W]
   * (or [N, H, W]); "columns" = one tile per column, [H·W, N], e.g. a Linear
   * layer's weight [in, out]. Default "rows".
   */
  layout?: "rows" | "columns";
  /** Tiles are stored column-major (MATLAB order): pixel (r, c) is at c·height + r. */
  transpose?: boolean;
  /** Pixels between tiles and around the grid (before scaling). Default 2. */
  gap?: number;
  /** Integer zoom, each pixel becomes scale×scale. Default 1. */
  scale?: number;
  /** RGB of the gaps. Default a mid blue, distinct from both black and white tiles. */
  background?: readonly [number, number, number];
}

/** Colour of NaN/±Infinity pixels, so a diverged weight shows up instead of passing as black. */
const NON_FINITE_RGB = [255, 0, 0] as const;
const MAX_SIDE = 16384;

type TileReader = (tile: number, index: number) => number;

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InklingError(`imageGrid: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** Returns the tile count and a reader of tile t, element i (in stored order). */
function tileSource(
  images: readonly ArrayLike<number>[] | TensorLike,
  pixels: number,
  layout: "rows" | "columns",
): { count: number; read: TileReader } {
  if (Array.isArray(images)) {
    images.forEach((image, t) => {
      if (image.length !== pixels) {
        throw new ShapeError(`imageGrid: image ${t} has ${image.length} values, not ${pixels}`);
      }
    });
    const list = images as readonly ArrayLike<number>[];
    return { count: list.length, read: (t, i) => list[t][i] };
  }
  const { data, shape } = images as TensorLike;
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) {
    throw new ShapeError(`imageGrid: ${data.length} elements do not fill shape [${shape}]`);
  }
  if (layout === "columns") {
    if (shape.length !== 2 || shape[0] !== pixels) {
      throw new ShapeError(
        `imageGrid: layout "columns" needs shape [${pixels}, N], got [${shape}]`,
      );
    }
    const count = shape[1];
    return { count, read: (t, i) => data[i * count + t] };
  }
  if (shape.length < 2 || size !== shape[0] * pixels) {
    const hint = shape.length === 2 && shape[0] === pixels
      ? ` (tiles in columns? pass layout: "columns")`
      : "";
    throw new ShapeError(`imageGrid: shape [${shape}] is not [N, ${pixels}]${hint}`);
  }
  return { count: shape[0], read: (t, i) => data[t * pixels + i] };
}

/** Finite min and max of the given tiles (NaN/Infinity ignored). */
function range(read: TileReader, tiles: Iterable<number>, pixels: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of tiles) {
    for (let i = 0; i < pixels; i++) {
      const v = read(t, i);
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return [lo, hi];
}

/**
 * Composes the grid as raw RGB pixels (pure; {@linkcode imageGrid} encodes
 * the result as PNG).
 */
export function imageGridRaster(
  images: readonly ArrayLike<number>[] | TensorLike,
  options: ImageGridOptions,
): RasterImage {
  const width = positiveInteger(options.width, "width");
  const height = positiveInteger(options.height, "height");
  const scale = positiveInteger(options.scale ?? 1, "scale");
  const gap = options.gap ?? 2;
  if (!Number.isInteger(gap) || gap < 0) throw new InklingError(`imageGrid: gap ${gap}`);
  const pixels = width * height;
  const { count, read } = tileSource(images, pixels, options.layout ?? "rows");
  if (count === 0) throw new InklingError("imageGrid: no images");
  const columns = positiveInteger(options.columns ?? Math.ceil(Math.sqrt(count)), "columns");
  const rows = Math.ceil(count / columns);
  const outWidth = (Math.min(columns, count) * (width + gap) + gap) * scale;
  const outHeight = (rows * (height + gap) + gap) * scale;
  if (outWidth > MAX_SIDE || outHeight > MAX_SIDE) {
    throw new InklingError(`imageGrid: ${outWidth}×${outHeight} px is too large`);
  }
  const out = new Uint8Array(outWidth * outHeight * 3);
  const [br, bg, bb] = options.background ?? [70, 110, 170];
  for (let p = 0; p < out.length; p += 3) {
    out[p] = br;
    out[p + 1] = bg;
    out[p + 2] = bb;
  }
  const normalize = options.normalize ?? "each";
  const all = Array.from({ length: count }, (_, t) => t);
  const globalRange = normalize === "global" ? range(read, all, pixels) : null;
  for (let t = 0; t < count; t++) {
    const [lo, hi] = normalize === "none" ? [0, 1] : globalRange ?? range(read, [t], pixels);
    const left = gap + (t % columns) * (width + gap);
    const top = gap + Math.floor(t / columns) * (height + gap);
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        const v = read(t, options.transpose ? c * height + r : r * width + c);
        let rgb: readonly number[] = NON_FINITE_RGB;
        if (Number.isFinite(v)) {
          const grey = hi > lo
            ? Math.round(255 * Math.min(1, Math.max(0, (v - lo) / (hi - lo))))
            : 128;
          rgb = [grey, grey, grey];
        }
        for (let dy = 0; dy < scale; dy++) {
          const rowStart = ((top + r) * scale + dy) * outWidth;
          for (let dx = 0; dx < scale; dx++) {
            out.set(rgb, (rowStart + (left + c) * scale + dx) * 3);
          }
        }
      }
    }
  }
  return { width: outWidth, height: outHeight, channels: 3, pixels: out };
}

/**
 * Draws greyscale images as a grid of tiles and returns PNG bytes. For the
 * first-layer weights of a Linear layer [1024, 64]:
 * `imageGrid(layer.weight, { width: 32, height: 32, layout: "columns", columns: 8 })`.
 */
export function imageGrid(
  images: readonly ArrayLike<number>[] | TensorLike,
  options: ImageGridOptions,
): Promise<Uint8Array> {
  return encodePng(imageGridRaster(images, options));
}
