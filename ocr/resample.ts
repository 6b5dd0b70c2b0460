/**
 * Area resampling of a single-channel image: every output pixel is the mean
 * of the input over the output pixel's footprint (exact box-filter
 * antialiasing, the right filter for shrinking a sharp binary character).
 *
 * @module
 */

/** A single-channel float image, row-major. */
export interface Plane {
  /** Values, row-major. */
  data: Float32Array;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/** Where the input lands in the output of {@linkcode areaResample}. */
export interface Placement {
  /** Output pixels per input pixel (same along both axes). */
  scale: number;
  /** Output x of the input's left edge. */
  left: number;
  /** Output y of the input's top edge. */
  top: number;
}

/**
 * Draws `input`, scaled by `placement.scale` with its top-left corner at
 * (`left`, `top`), over `output` and returns `output`. An output pixel of
 * which the scaled input covers the fraction `c` becomes
 * `old · (1 − c) + (the input's integral over the pixel)`: pixels fully
 * inside take the input's mean over their footprint, pixels outside keep
 * their value, and those on the rim blend the two by area.
 */
export function areaResample(input: Plane, output: Plane, placement: Placement): Plane {
  const columns = overlaps([input.width, output.width], {
    scale: placement.scale,
    offset: placement.left,
  });
  const rows = overlaps([input.height, output.height], {
    scale: placement.scale,
    offset: placement.top,
  });
  // Horizontal pass: input rows → output columns.
  const horizontal = new Float32Array(input.height * output.width);
  const covered = new Float32Array(output.width);
  for (const { from, to, weight } of columns) {
    covered[to] += weight;
    for (let y = 0; y < input.height; y++) {
      horizontal[y * output.width + to] += weight * input.data[y * input.width + from];
    }
  }
  // Vertical pass, then composite over the output's old values.
  const sum = new Float32Array(output.width * output.height);
  const coveredRows = new Float32Array(output.height);
  for (const { from, to, weight } of rows) {
    coveredRows[to] += weight;
    for (let x = 0; x < output.width; x++) {
      sum[to * output.width + x] += weight * horizontal[from * output.width + x];
    }
  }
  for (let y = 0; y < output.height; y++) {
    for (let x = 0; x < output.width; x++) {
      const i = y * output.width + x;
      const coverage = coveredRows[y] * covered[x];
      output.data[i] = output.data[i] * (1 - coverage) + sum[i];
    }
  }
  return output;
}

/**
 * For one axis: which input pixel overlaps which output pixel and by what
 * fraction of the output pixel.
 */
function overlaps(
  [inputSize, outputSize]: [number, number],
  { scale, offset }: { scale: number; offset: number },
) {
  const list: { from: number; to: number; weight: number }[] = [];
  for (let from = 0; from < inputSize; from++) {
    const start = offset + from * scale;
    const end = start + scale;
    for (let to = Math.max(0, Math.floor(start)); to < Math.min(outputSize, Math.ceil(end)); to++) {
      const weight = Math.min(end, to + 1) - Math.max(start, to);
      if (weight > 0) list.push({ from, to, weight });
    }
  }
  return list;
}
