/**
 * 2-D convolution (cross-correlation, as in PyTorch) over N×C×H×W batches,
 * by im2col + gemm; its backward uses gemm with transposed operands and
 * col2im.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import { kernels } from "../kernels/backend.ts";
import type { Window2d } from "../kernels/kernels.ts";
import { showShape } from "../shape.ts";
import { record } from "../tape.ts";
import { allocate, checkSameDType, Tensor } from "../tensor.ts";
import { add } from "./elementwise.ts";
import { permute, reshape } from "./layout.ts";

/** Stride and zero padding of a window op (the same along both axes). */
export interface WindowOptions {
  /** Step between windows (default 1 for conv2d, the kernel size for pooling). */
  stride?: number;
  /** Zero padding on each side (default 0). */
  padding?: number;
}

/** Validates an N×C×H×W input against a window and returns the geometry. */
export function window2d(
  x: Tensor,
  options: { kh: number; kw: number; stride: number; pad: number; op: string },
): Window2d {
  const { kh, kw, stride, pad, op } = options;
  if (x.ndim !== 4) throw new ShapeError(`${op}: input must be N×C×H×W, got ${showShape(x.shape)}`);
  if (!(stride >= 1 && Number.isInteger(stride)) || !(pad >= 0 && Number.isInteger(pad))) {
    throw new ShapeError(`${op}: stride ${stride} and padding ${pad} must be integers ≥ 1 and ≥ 0`);
  }
  const [n, c, h, w] = x.shape;
  const oh = Math.floor((h + 2 * pad - kh) / stride) + 1;
  const ow = Math.floor((w + 2 * pad - kw) / stride) + 1;
  if (oh < 1 || ow < 1) {
    throw new ShapeError(
      `${op}: window ${kh}×${kw} (padding ${pad}) does not fit input ${showShape(x.shape)}`,
    );
  }
  return { n, c, h, w, kh, kw, stride, pad, oh, ow };
}

/** Options of {@linkcode conv2d}. */
export interface Conv2dOptions extends WindowOptions {
  /** Per-output-channel bias of shape [OC]. */
  bias?: Tensor;
}

/**
 * Convolves x [N, C, H, W] with weights [OC, C, kh, kw]; output
 * [N, OC, OH, OW]. Bias, if given, is added per output channel.
 */
export function conv2d(x: Tensor, weight: Tensor, options: Conv2dOptions = {}): Tensor {
  const dtype = checkSameDType("conv2d", x, weight);
  if (weight.ndim !== 4 || weight.shape[1] !== x.shape[1]) {
    throw new ShapeError(
      `conv2d: weight ${showShape(weight.shape)} does not fit input ${showShape(x.shape)} ` +
        "(need [OC, C, kh, kw] with C = input channels)",
    );
  }
  const [oc, , kh, kw] = weight.shape;
  const geo = window2d(x, {
    kh,
    kw,
    stride: options.stride ?? 1,
    pad: options.padding ?? 0,
    op: "conv2d",
  });
  const rows = geo.c * kh * kw;
  const cols = geo.n * geo.oh * geo.ow;
  const colData = allocate(dtype, rows * cols);
  kernels().im2col(x.data, { ...geo, cols: colData });
  const outData = allocate(dtype, oc * cols);
  kernels().gemm({ a: weight.data, b: colData, c: outData, m: oc, k: rows, n: cols });
  const flat = record(
    "conv2d",
    [x, weight],
    new Tensor(outData, [oc, geo.n, geo.oh, geo.ow]),
    (g) => {
      let gx: Tensor | null = null;
      let gw: Tensor | null = null;
      if (weight.requiresGrad) {
        const data = allocate(dtype, weight.size);
        kernels().gemm({ a: g.data, b: colData, c: data, m: oc, k: cols, n: rows, transB: true });
        gw = new Tensor(data, weight.shape);
      }
      if (x.requiresGrad) {
        const gCols = allocate(dtype, rows * cols);
        kernels().gemm({
          a: weight.data,
          b: g.data,
          c: gCols,
          m: rows,
          k: oc,
          n: cols,
          transA: true,
        });
        const data = allocate(dtype, x.size);
        kernels().col2im(gCols, { ...geo, out: data });
        gx = new Tensor(data, x.shape);
      }
      return [gx, gw];
    },
  );
  const out = permute(flat, [1, 0, 2, 3]);
  if (!options.bias) return out;
  if (options.bias.ndim !== 1 || options.bias.shape[0] !== oc) {
    throw new ShapeError(`conv2d: bias ${showShape(options.bias.shape)} must be [${oc}]`);
  }
  return add(out, reshape(options.bias, [oc, 1, 1]));
}
