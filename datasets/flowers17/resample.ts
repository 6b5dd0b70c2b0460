/**
 * Resize-then-centre-crop in one pass, straight into planar (CHW) floats.
 * The filter is the triangle ("bilinear") filter widened by the shrink factor
 * when downscaling — what PIL and torchvision (`antialias=True`) call
 * bilinear — with pixel centres aligned, so a resize to the same size is the
 * identity and a downscale averages every source pixel instead of skipping
 * some. Only the rows and columns that survive the crop are computed.
 *
 * @module
 */

import { InklingError } from "../../autograd/errors.ts";

/** Decoded pixels, channels interleaved row by row. */
export interface InterleavedPixels {
  /** `width × height × channels` values. */
  readonly data: ArrayLike<number>;
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
  /** Values per pixel (1 grey … 4 RGBA). */
  readonly channels: number;
}

/** Options of {@linkcode resizeCropPlanar}. */
export interface ResizeCropOptions {
  /** Side of the square output. */
  size: number;
  /** Length of the short side after resizing (at least `size`). */
  resizeTo: number;
  /** Source channel read into each output plane, e.g. `[2, 1, 0]` for BGR planes of RGB pixels. */
  planes: readonly number[];
  /** Per-plane factor applied to resampled values: `out = value × scale[p] + offset[p]`. */
  scale: readonly number[];
  /** Per-plane term added after scaling. */
  offset: readonly number[];
  /** Destination of `planes.length × size × size` floats. */
  out: Float32Array;
  /** Index in `out` of the first plane (default 0). */
  outOffset?: number;
}

/** Weights of one axis: output `j` reads `count[j]` inputs from `start[j]` on, weights at `j × stride`. */
interface AxisFilter {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly stride: number;
  readonly weights: Float64Array;
}

/**
 * The output size of resizing a `width × height` image so that its short
 * side becomes `short` (the long side is truncated, as torchvision does).
 */
export function resizedSize(width: number, height: number, short: number): [number, number] {
  return width <= height
    ? [short, Math.max(short, Math.trunc((short * height) / width))]
    : [Math.max(short, Math.trunc((short * width) / height)), short];
}

/**
 * Resizes `src` so its short side is `resizeTo`, crops the centre
 * `size × size` square and writes one plane per entry of `planes` into
 * `out`, scaled and offset per plane.
 */
export function resizeCropPlanar(src: InterleavedPixels, options: ResizeCropOptions): void {
  const { size, resizeTo, planes, scale, offset, out } = options;
  const outOffset = options.outOffset ?? 0;
  if (!Number.isInteger(size) || size < 1 || !Number.isInteger(resizeTo) || resizeTo < size) {
    throw new InklingError(
      `resize ${resizeTo} / crop ${size}: need integers with resize ≥ crop ≥ 1`,
    );
  }
  if (outOffset + planes.length * size * size > out.length) {
    throw new InklingError(
      `resizeCropPlanar: output buffer too small for ${planes.length}×${size}×${size}`,
    );
  }
  const [resizedWidth, resizedHeight] = resizedSize(src.width, src.height, resizeTo);
  const cols = axisFilter(src.width, resizedWidth, Math.floor((resizedWidth - size) / 2), size);
  const rows = axisFilter(src.height, resizedHeight, Math.floor((resizedHeight - size) / 2), size);
  const firstRow = rows.start[0];
  const rowCount = rows.start[size - 1] + rows.count[size - 1] - firstRow;
  const row = new Float64Array(size);
  for (let p = 0; p < planes.length; p++) {
    const horizontal = filterRows(src, cols, { firstRow, rowCount, channel: planes[p], size });
    const base = outOffset + p * size * size;
    for (let y = 0; y < size; y++) {
      // Accumulate whole source rows: sequential reads of the horizontal pass.
      row.fill(0);
      const w0 = y * rows.stride;
      for (let k = 0; k < rows.count[y]; k++) {
        const w = rows.weights[w0 + k];
        const from = (rows.start[y] - firstRow + k) * size;
        for (let x = 0; x < size; x++) row[x] += w * horizontal[from + x];
      }
      const to = base + y * size;
      for (let x = 0; x < size; x++) out[to + x] = row[x] * scale[p] + offset[p];
    }
  }
}

/** Horizontal pass of one channel over the rows the vertical pass needs: `rowCount × size`. */
function filterRows(
  src: InterleavedPixels,
  cols: AxisFilter,
  region: { firstRow: number; rowCount: number; channel: number; size: number },
): Float64Array {
  const { firstRow, rowCount, channel, size } = region;
  const { data, width, channels } = src;
  const result = new Float64Array(rowCount * size);
  for (let r = 0; r < rowCount; r++) {
    const rowBase = (firstRow + r) * width;
    for (let x = 0; x < size; x++) {
      const w0 = x * cols.stride;
      let at = (rowBase + cols.start[x]) * channels + channel;
      let sum = 0;
      for (let k = 0; k < cols.count[x]; k++) {
        sum += cols.weights[w0 + k] * data[at];
        at += channels;
      }
      result[r * size + x] = sum;
    }
  }
  return result;
}

/**
 * Triangle-filter weights for `count` outputs starting at `cropStart` of an
 * axis resized from `inSize` to `resized`. Downscaling widens the triangle
 * to cover every input pixel (antialiasing); weights are normalised to sum 1.
 */
function axisFilter(inSize: number, resized: number, cropStart: number, count: number): AxisFilter {
  const factor = resized / inSize;
  const radius = Math.max(1, 1 / factor);
  const stride = Math.ceil(radius) * 2 + 1; // most inputs one output can reach
  const start = new Int32Array(count);
  const taps = new Int32Array(count);
  const weights = new Float64Array(count * stride);
  for (let j = 0; j < count; j++) {
    const center = (j + cropStart + 0.5) / factor; // in input pixels; pixel i spans [i, i+1)
    const lo = Math.max(0, Math.floor(center - radius + 0.5));
    const hi = Math.min(inSize, Math.floor(center + radius + 0.5));
    let sum = 0;
    for (let i = lo; i < hi; i++) {
      const w = Math.max(0, 1 - Math.abs((i + 0.5 - center) / radius));
      weights[j * stride + i - lo] = w;
      sum += w;
    }
    for (let k = 0; k < hi - lo; k++) weights[j * stride + k] /= sum;
    start[j] = lo;
    taps[j] = hi - lo;
  }
  return { start, count: taps, stride, weights };
}
