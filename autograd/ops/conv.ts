/**
 * 2-D convolution (cross-correlation, as in PyTorch) over N×C×H×W batches,
 * by im2col + gemm; its backward uses gemm with transposed operands and
 * col2im.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import { kernels } from "../kernels/backend.ts";
import type { ActivationOp, ConvChunks, Storage, Window2d } from "../kernels/kernels.ts";
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

/**
 * Images per chunk: at most as many as fit {@linkcode CHUNK_ENTRIES} (at
 * least one), and then as few as keep the chunk count, rounded up to an even
 * one, so that the n images fall into chunks of equal size that alternate
 * between the two convolution lanes. (64 images into the MNIST CNN's first
 * layer, 9 a chunk at most, ran as seven chunks of 9 and one of 1: one lane
 * did 36 images, the other 28.)
 */
function imagesPerChunk(rows: number, plane: number, n: number): number {
  const most = Math.max(1, Math.floor(CHUNK_ENTRIES / Math.max(1, rows * plane)));
  if (n <= most) return most;
  const count = Math.ceil(n / most);
  return Math.ceil(n / (count + (count % 2)));
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
  const plan = planConv(x, weight, options, "conv2d");
  const { bias, dtype, geo, oc, rows, plane, chunk, chunks } = plan;
  const act = options.activation ?? null;
  const k0 = kernels();
  // Written whole: by the backend's chunks, or chunk by chunk below.
  const y = allocate(dtype, geo.n * oc * plane, { written: true });
  // A backend may run the whole chunk loop itself (native: chunks side by side).
  const whole = k0.convForward?.(x.data, {
    weight: weight.data,
    bias: bias?.data,
    activation: act ?? undefined,
    geo: chunks,
    out: y,
  }) ?? false;
  if (!whole) {
    // Temporaries of one chunk, reused by every chunk (the last may use less).
    const cols = scratch("conv2d.cols", dtype, rows * chunk * plane);
    const product = scratch("conv2d.product", dtype, oc * chunk * plane);
    for (let b0 = 0; b0 < geo.n; b0 += chunk) {
      const count = Math.min(chunk, geo.n - b0);
      unfold(plan, b0, count, cols);
      k0.gemm({ a: weight.data, b: cols, c: product, m: oc, k: rows, n: count * plane });
      k0.swapLeadingAxes(product, {
        a: oc,
        b: count,
        inner: plane,
        bias: bias?.data,
        out: y.subarray(b0 * oc * plane, (b0 + count) * oc * plane),
      });
    }
    if (act) k0.unary(act, y, y);
  }
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record("conv2d", inputs, new Tensor(y, [geo.n, oc, geo.oh, geo.ow]), (g) => {
    const ks = kernels();
    const grads = convGradients(plan);
    // The backend's lanes take the gradient through the activation and sum its planes too.
    const done = whole &&
      (ks.convBackward?.(g.data, {
        x: x.data,
        weight: weight.data,
        geo: chunks,
        gx: grads.gx ?? undefined,
        gw: grads.gw ?? undefined,
        activation: act ?? undefined,
        y,
        planeSums: grads.perImage ?? undefined,
      }) ?? false);
    let gz = g.data;
    if (act && !done) {
      gz = scratch("conv2d.dZ", dtype, y.length);
      ks.activationGrad(act, { y, grad: g.data, out: gz });
    }
    return finishConvBackward(plan, grads, done ? null : gz);
  });
}

/** A validated convolution: its operands, geometry and chunking. */
export interface ConvPlan {
  x: Tensor;
  weight: Tensor;
  bias: Tensor | null;
  dtype: Tensor["dtype"];
  geo: Window2d;
  /** Output channels, rows of the column matrix (C·kh·kw), OH·OW and C·H·W. */
  oc: number;
  rows: number;
  plane: number;
  image: number;
  /** Images per chunk, and the geometry the backend's lanes take. */
  chunk: number;
  chunks: ConvChunks;
}

/** Checks x [N, C, H, W], weight [OC, C, kh, kw] and bias [OC]; `op` names the op in errors. */
export function planConv(
  x: Tensor,
  weight: Tensor,
  options: Conv2dOptions,
  op: string,
): ConvPlan {
  const bias = options.bias ?? null;
  const dtype = checkSameDType(op, ...(bias ? [x, weight, bias] : [x, weight]));
  if (weight.ndim !== 4 || weight.shape[1] !== x.shape[1]) {
    throw new ShapeError(
      `${op}: weight ${showShape(weight.shape)} does not fit input ${showShape(x.shape)} ` +
        "(need [OC, C, kh, kw] with C = input channels)",
    );
  }
  const [oc, , kh, kw] = weight.shape;
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== oc)) {
    throw new ShapeError(`${op}: bias ${showShape(bias.shape)} must be [${oc}]`);
  }
  const geo = window2d(x, { kh, kw, stride: options.stride ?? 1, pad: options.padding ?? 0, op });
  const rows = geo.c * kh * kw;
  const plane = geo.oh * geo.ow;
  const chunk = imagesPerChunk(rows, plane, geo.n);
  return {
    x,
    weight,
    bias,
    dtype,
    geo,
    oc,
    rows,
    plane,
    image: geo.c * geo.h * geo.w,
    chunk,
    chunks: { ...geo, oc, chunk },
  };
}

/** Unfolds images [b0, b0 + count) of the plan's input into `cols`. */
function unfold(plan: ConvPlan, b0: number, count: number, cols: Storage): void {
  const xs = plan.x.data.subarray(b0 * plan.image, (b0 + count) * plan.image);
  kernels().im2col(xs, { ...plan.geo, n: count, cols });
}

/** Where a convolution's backward writes: each only when its operand needs a gradient. */
export interface ConvGradients {
  gx: Storage | null;
  gw: Storage | null;
  /** The bias gradient of each image, [N, OC]: Σ over its planes. */
  perImage: Storage | null;
}

/** Storage for the plan's gradients. */
export function convGradients(plan: ConvPlan): ConvGradients {
  const { x, weight, bias, dtype, geo, oc } = plan;
  return {
    gx: x.requiresGrad ? allocate(dtype, x.size) : null,
    gw: weight.requiresGrad ? gradientStorage(weight) : null,
    perImage: bias?.requiresGrad ? scratch("conv2d.dBias", dtype, geo.n * oc) : null,
  };
}

/**
 * The rest of a convolution's backward from gz, the gradient of its output
 * [N, OC, OH, OW] (through any activation): the chunk loop and the planes'
 * sums, unless the backend's lanes did them (gz null); then the bias
 * gradient from the sums. Returns the gradients in the op's input order.
 */
export function finishConvBackward(
  plan: ConvPlan,
  grads: ConvGradients,
  gz: Storage | null,
): (Tensor | null)[] {
  const { x, weight, bias, dtype, geo, oc, rows, plane, image, chunk } = plan;
  const { gx, gw, perImage } = grads;
  const ks = kernels();
  if (gz !== null) {
    const dRows = scratch("conv2d.dRows", dtype, oc * chunk * plane);
    const cols = scratch("conv2d.cols", dtype, rows * chunk * plane);
    const dCols = gx ? scratch("conv2d.dCols", dtype, rows * chunk * plane) : null;
    for (let b0 = 0; b0 < geo.n; b0 += chunk) {
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
        unfold(plan, b0, count, cols);
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
    if (perImage) ks.sumAxis(gz, { outer: geo.n * oc, size: plane, inner: 1, out: perImage });
  }
  const inputGrads = [gx && new Tensor(gx, x.shape), gw && new Tensor(gw, weight.shape)];
  if (!bias) return inputGrads;
  let gb: Tensor | null = null;
  if (perImage) {
    // Σ over each image's planes (above, or in the lanes), then over the images.
    const data = gradientStorage(bias);
    ks.sumAxis(perImage, { outer: 1, size: geo.n, inner: oc, out: data });
    gb = new Tensor(data, bias.shape);
  }
  return [...inputGrads, gb];
}
