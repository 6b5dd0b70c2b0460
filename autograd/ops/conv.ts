/**
 * 2-D convolution (cross-correlation, as in PyTorch) over N×C×H×W batches,
 * by im2col + gemm; its backward uses gemm with transposed operands and
 * col2im.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import { kernels } from "../kernels/backend.ts";
import type { ActivationOp, Window2d } from "../kernels/kernels.ts";
import { gradientStorage } from "../grad_storage.ts";
import { showShape } from "../shape.ts";
import { record } from "../tape.ts";
import { allocate, checkSameDType, Tensor } from "../tensor.ts";
import { scratch } from "./scratch.ts";

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
  /** Activation applied to the output, in the same op (default none). */
  activation?: ActivationOp;
}

/**
 * Column-matrix entries one batch chunk may unfold (2^17 float32: 512 KiB).
 * A whole batch's column matrix is many times the input (25 × for a 5×5
 * kernel) and far larger than the caches: 13 MB for 64 images into the
 * second layer of the classic MNIST CNN. Unfolded a few images at a time it
 * stays in cache between im2col and the gemms that read it. On that CNN's
 * training step (native backend) CPU time per image was 0.63–0.65 ms at
 * 2^17 and 2^18, 0.64–0.82 ms at 2^19 and 0.81–0.95 ms for whole batches.
 */
const CHUNK_ENTRIES = 1 << 17;

/** Images per chunk: as many as fit {@linkcode CHUNK_ENTRIES}, at least one. */
function imagesPerChunk(rows: number, plane: number): number {
  return Math.max(1, Math.floor(CHUNK_ENTRIES / Math.max(1, rows * plane)));
}

/**
 * Convolves x [N, C, H, W] with weights [OC, C, kh, kw]; output
 * [N, OC, OH, OW]. Bias, if given, is added per output channel, and the
 * activation, if given, applied last: f(conv(x) + b) as one tape node.
 *
 * The batch runs in chunks of a few images (see {@linkcode CHUNK_ENTRIES}):
 * im2col, one gemm into the layout [OC, images, OH·OW], and one pass moving
 * that into N×C×H×W with the bias added. The backward unfolds each chunk
 * again rather than keeping the column matrices, accumulates the weight
 * gradient chunk by chunk, and folds each chunk's column gradient back with
 * col2im. Chunks depend on the shapes alone, so the bits do not change with
 * the thread count. A backend with the optional `convForward` and
 * `convBackward` kernels runs the whole loop itself instead (wasm and
 * native: the chunks side by side in two lanes, wasm/conv_lanes.ts and
 * native/conv.ts).
 */
export function conv2d(x: Tensor, weight: Tensor, options: Conv2dOptions = {}): Tensor {
  const bias = options.bias ?? null;
  const act = options.activation ?? null;
  const dtype = checkSameDType("conv2d", ...(bias ? [x, weight, bias] : [x, weight]));
  if (weight.ndim !== 4 || weight.shape[1] !== x.shape[1]) {
    throw new ShapeError(
      `conv2d: weight ${showShape(weight.shape)} does not fit input ${showShape(x.shape)} ` +
        "(need [OC, C, kh, kw] with C = input channels)",
    );
  }
  const [oc, , kh, kw] = weight.shape;
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== oc)) {
    throw new ShapeError(`conv2d: bias ${showShape(bias.shape)} must be [${oc}]`);
  }
  const geo = window2d(x, {
    kh,
    kw,
    stride: options.stride ?? 1,
    pad: options.padding ?? 0,
    op: "conv2d",
  });
  const rows = geo.c * kh * kw;
  const plane = geo.oh * geo.ow;
  const image = geo.c * geo.h * geo.w;
  const chunk = imagesPerChunk(rows, plane);
  // Temporaries of one chunk, reused by every chunk (the last may use less).
  const cols = scratch("conv2d.cols", dtype, rows * chunk * plane);
  const product = scratch("conv2d.product", dtype, oc * chunk * plane);
  /** Unfolds images [b0, b0 + count) into `cols`. */
  const unfold = (b0: number, count: number) => {
    const xs = x.data.subarray(b0 * image, (b0 + count) * image);
    kernels().im2col(xs, { ...geo, n: count, cols });
  };
  const k0 = kernels();
  // Written whole: by the backend's chunks, or chunk by chunk below.
  const y = allocate(dtype, geo.n * oc * plane, { written: true });
  const chunks = { ...geo, oc, chunk };
  // A backend may run the whole chunk loop itself (native: chunks side by side).
  const whole = k0.convForward?.(x.data, {
    weight: weight.data,
    bias: bias?.data,
    activation: act ?? undefined,
    geo: chunks,
    out: y,
  }) ?? false;
  for (let b0 = 0; b0 < geo.n && !whole; b0 += chunk) {
    const count = Math.min(chunk, geo.n - b0);
    unfold(b0, count);
    k0.gemm({ a: weight.data, b: cols, c: product, m: oc, k: rows, n: count * plane });
    k0.swapLeadingAxes(product, {
      a: oc,
      b: count,
      inner: plane,
      bias: bias?.data,
      out: y.subarray(b0 * oc * plane, (b0 + count) * oc * plane),
    });
  }
  if (act && !whole) k0.unary(act, y, y);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record("conv2d", inputs, new Tensor(y, [geo.n, oc, geo.oh, geo.ow]), (g) => {
    const ks = kernels();
    const gx = x.requiresGrad ? allocate(dtype, x.size) : null;
    const gw = weight.requiresGrad ? gradientStorage(weight) : null;
    // The bias gradient of each image: Σ over its planes of the gradient through the activation.
    const perImage = bias?.requiresGrad ? scratch("conv2d.dBias", dtype, geo.n * oc) : null;
    // The backend's lanes take the gradient through the activation and sum its planes too.
    const done = whole &&
      (ks.convBackward?.(g.data, {
        x: x.data,
        weight: weight.data,
        geo: chunks,
        gx: gx ?? undefined,
        gw: gw ?? undefined,
        activation: act ?? undefined,
        y,
        planeSums: perImage ?? undefined,
      }) ?? false);
    let gz = g.data;
    if (act && !done) {
      gz = scratch("conv2d.dZ", dtype, y.length);
      ks.activationGrad(act, { y, grad: g.data, out: gz });
    }
    const dRows = scratch("conv2d.dRows", dtype, oc * chunk * plane);
    const dCols = gx ? scratch("conv2d.dCols", dtype, rows * chunk * plane) : null;
    for (let b0 = 0; b0 < geo.n && !done; b0 += chunk) {
      const count = Math.min(chunk, geo.n - b0);
      const n = count * plane;
      // This chunk's dZ in the gemm layout [OC, images·OH·OW].
      ks.swapLeadingAxes(gz.subarray(b0 * oc * plane, (b0 + count) * oc * plane), {
        a: count,
        b: oc,
        inner: plane,
        out: dRows,
      });
      if (gw) {
        unfold(b0, count);
        ks.gemm({
          a: dRows,
          b: cols,
          c: gw,
          m: oc,
          k: n,
          n: rows,
          transB: true,
          accumulate: b0 > 0,
        });
      }
      if (gx && dCols) {
        ks.gemm({ a: weight.data, b: dRows, c: dCols, m: rows, k: oc, n, transA: true });
        const out = gx.subarray(b0 * image, (b0 + count) * image);
        ks.col2im(dCols, { ...geo, n: count, out });
      }
    }
    let gb: Tensor | null = null;
    if (bias && perImage) {
      // Σ over each image's plane (unless the lanes did), then over the images.
      if (!done) ks.sumAxis(gz, { outer: geo.n * oc, size: plane, inner: 1, out: perImage });
      const data = gradientStorage(bias);
      ks.sumAxis(perImage, { outer: 1, size: geo.n, inner: oc, out: data });
      gb = new Tensor(data, bias.shape);
    }
    const grads = [gx && new Tensor(gx, x.shape), gw && new Tensor(gw, weight.shape)];
    return bias ? [...grads, gb] : grads;
  });
}
