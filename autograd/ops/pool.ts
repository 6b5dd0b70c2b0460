/**
 * Pooling over N×C×H×W batches: max, average, and global average.
 *
 * @module
 */

import { kernels } from "../kernels/backend.ts";
import { record } from "../tape.ts";
import { allocate, Tensor } from "../tensor.ts";
import { window2d, type WindowOptions } from "./conv.ts";
import { mean } from "./reduce.ts";

/** Options of the pooling ops: a square window of `kernel` cells. */
export interface PoolOptions extends WindowOptions {
  /** Window size (both axes). */
  kernel: number;
}

function geometry(x: Tensor, options: PoolOptions, op: string) {
  return window2d(x, {
    kh: options.kernel,
    kw: options.kernel,
    stride: options.stride ?? options.kernel,
    pad: options.padding ?? 0,
    op,
  });
}

/** Maximum over each window; the gradient goes to the (first) maximal cell. */
export function maxPool2d(x: Tensor, options: PoolOptions): Tensor {
  const geo = geometry(x, options, "maxPool2d");
  const shape = [geo.n, geo.c, geo.oh, geo.ow];
  const out = allocate(x.dtype, geo.n * geo.c * geo.oh * geo.ow, { written: true });
  const index = new Int32Array(out.length);
  kernels().maxPool2d(x.data, { ...geo, out, index });
  return record("maxPool2d", [x], new Tensor(out, shape), (g) => {
    const gx = allocate(x.dtype, x.size);
    kernels().maxPool2dBackward(g.data, { ...geo, index, out: gx });
    return [new Tensor(gx, x.shape)];
  });
}

/** Average over each window (padding counts as zeros). */
export function avgPool2d(x: Tensor, options: PoolOptions): Tensor {
  const geo = geometry(x, options, "avgPool2d");
  const shape = [geo.n, geo.c, geo.oh, geo.ow];
  const out = allocate(x.dtype, geo.n * geo.c * geo.oh * geo.ow, { written: true });
  kernels().avgPool2d(x.data, { ...geo, out });
  return record("avgPool2d", [x], new Tensor(out, shape), (g) => {
    const gx = allocate(x.dtype, x.size);
    kernels().avgPool2dBackward(g.data, { ...geo, out: gx });
    return [new Tensor(gx, x.shape)];
  });
}

/** Mean over the spatial axes: [N, C, H, W] → [N, C]. */
export function globalAvgPool2d(x: Tensor): Tensor {
  return mean(x, { axis: [2, 3] });
}
