/**
 * A convolution followed by 2×2 max pooling at stride 2, and optionally a
 * ReLU, as one op: what `Sequential` runs for the classic Conv2d, ReLU,
 * MaxPool2d(2) block. The value is relu(maxPool2d(conv2d(x, W) + b)), with
 * the gradients of those ops one after another; the ReLU comes after the
 * pooling, where it gives the same values as before it on a quarter of the
 * cells.
 *
 * A backend whose convolution lanes take a fused pooling (wasm and native,
 * for batches of several chunks) pools each chunk of images while its
 * output is in cache, and never writes the convolution's whole output
 * (4.7 MB for the MNIST CNN's first layer at batch 64) nor, backward, its
 * whole gradient: each lane adds its chunk's pooled gradient into the
 * chunk's own gradient. That took the MNIST CNN's training to 1.20× the
 * images/s on two native threads and 1.09× on two wasm ones (medians of
 * interleaved pairs). Elsewhere the op is conv2d, maxPool2d and relu, each
 * on the tape.
 *
 * @module
 */

import { kernels } from "../kernels/backend.ts";
import { releaseStorage } from "../storage_pool.ts";
import { record } from "../tape.ts";
import { allocate, Tensor } from "../tensor.ts";
import { conv2d, type Conv2dOptions, convGradients, finishConvBackward, planConv } from "./conv.ts";
import { relu as reluOp } from "./elementwise.ts";
import { maxPool2d } from "./pool.ts";
import { scratch } from "./scratch.ts";

/** Options of {@linkcode conv2dMaxPool}. */
export interface Conv2dMaxPoolOptions extends Omit<Conv2dOptions, "activation"> {
  /** Apply a ReLU to the pooled output (default false). */
  relu?: boolean;
}

/**
 * Convolves x [N, C, H, W] with weights [OC, C, kh, kw] (plus the bias),
 * max-pools each output plane in 2×2 windows at stride 2 and, with `relu`,
 * applies a ReLU: [N, OC, ⌊OH/2⌋, ⌊OW/2⌋]. The same numbers as
 * `maxPool2d(conv2d(x, weight, options), { kernel: 2 })` followed by `relu`.
 */
export function conv2dMaxPool(
  x: Tensor,
  weight: Tensor,
  options: Conv2dMaxPoolOptions = {},
): Tensor {
  const relu = options.relu ?? false;
  const plan = planConv(x, weight, options, "conv2dMaxPool");
  const { bias, dtype, geo, oc, plane } = plan;
  const pooled = { oh: Math.floor(geo.oh / 2), ow: Math.floor(geo.ow / 2) };
  const cells = geo.n * oc * pooled.oh * pooled.ow;
  const k0 = kernels();
  const y = cells > 0 && k0.convForward ? allocate(dtype, cells, { written: true }) : null;
  const index = new Int32Array(y ? cells : 0);
  const pool = { ...pooled, index };
  const activation = relu ? "relu" as const : undefined;
  const fused = y !== null && k0.convForward!(x.data, {
    weight: weight.data,
    bias: bias?.data,
    activation,
    geo: plan.chunks,
    out: y,
    pool,
  });
  if (!fused) {
    // Declined, having written nothing: the storage goes back for the ops below to take.
    if (y !== null) releaseStorage(y);
    const pooledOut = maxPool2d(conv2d(x, weight, { ...options, activation: undefined }), {
      kernel: 2,
    });
    return relu ? reluOp(pooledOut) : pooledOut;
  }
  const inputs = bias ? [x, weight, bias] : [x, weight];
  const shape = [geo.n, oc, pooled.oh, pooled.ow];
  return record("conv2dMaxPool", inputs, new Tensor(y, shape), (g) => {
    const ks = kernels();
    const grads = convGradients(plan);
    const done = ks.convBackward?.(g.data, {
      x: x.data,
      weight: weight.data,
      geo: plan.chunks,
      gx: grads.gx ?? undefined,
      gw: grads.gw ?? undefined,
      activation,
      y,
      planeSums: grads.perImage ?? undefined,
      pool,
    }) ?? false;
    if (done) return finishConvBackward(plan, grads, null);
    // The unfused ops' backward: through the ReLU, then into the conv output's gradient.
    let pooledGrad = g.data;
    if (relu) {
      pooledGrad = scratch("conv2dMaxPool.dPooled", dtype, cells);
      ks.activationGrad("relu", { y, grad: g.data, out: pooledGrad });
    }
    const gz = allocate(dtype, geo.n * oc * plane);
    ks.maxPool2dBackward(pooledGrad, {
      n: geo.n,
      c: oc,
      h: geo.oh,
      w: geo.ow,
      kh: 2,
      kw: 2,
      stride: 2,
      pad: 0,
      ...pooled,
      index,
      out: gz,
    });
    return finishConvBackward(plan, grads, gz);
  });
}
