/**
 * Tests of the native backend's convolution lanes (native/conv.ts): conv2d's
 * forward and backward on the lanes give the chunk loop's output and input
 * gradient bit for bit and its weight gradient to rounding, with the same
 * bits on one thread and two; the lanes take only what they can (float32,
 * stride 1, no padding, more than one chunk). Skipped (ignored, with the
 * reason in the name) without OpenBLAS.
 */

import assert from "node:assert/strict";
import {
  type Kernels,
  loadNativeKernels,
  loadWasmKernels,
  referenceKernels as ref,
  setThreads,
  shutdownThreads,
  threadCount,
} from "../../autograd/kernels/mod.ts";
import { mul, rand, Rng, sum } from "../../mod.ts";
import { Conv2d } from "../../layers/mod.ts";
import { assertSameBits } from "./float_arrays.ts";
import { onOneAndTwoThreads } from "./native_sets.ts";
import { withKernels } from "./op_check.ts";

// Opened here, outside any test, so the resource sanitizer never sees the library being loaded.
const wasm = loadWasmKernels(ref)!;
const probe = loadNativeKernels(wasm);
const skipped = probe.kernels === null ? ` (skipped: ${probe.reason})` : "";
const DEFAULT_THREADS = threadCount();

/** The native set without its convolution kernels: conv2d then runs its own chunk loop. */
function chunkLoop(native: Kernels): Kernels {
  const { convForward: _f, convBackward: _b, ...rest } = native;
  return rest;
}

/** y, the input gradient, the weight gradient and the bias gradient of one conv layer. */
function convGrads(
  kernels: Kernels,
  shape: { n: number; c: number; oc: number; size: number; padding?: number },
): Float32Array[] {
  return withKernels(kernels, () => {
    const rng = new Rng(5);
    const conv = new Conv2d({ in: shape.c, out: shape.oc }, 5, { rng, padding: shape.padding });
    const x = rand([shape.n, shape.c, shape.size, shape.size], {
      rng,
      low: -1,
      high: 1,
      requiresGrad: true,
    });
    const y = conv.forward(x);
    sum(mul(y, rand(y.shape, { rng, low: -1, high: 1 }))).backward();
    return [y, x.grad!, conv.weight.grad!, conv.bias!.grad!].map((t) =>
      (t.data as Float32Array).slice()
    );
  });
}

// The MNIST CNN's two layers (several chunks each), and a batch of a few one-image chunks.
const SHAPES = [
  { n: 64, c: 1, oc: 32, size: 28 },
  { n: 64, c: 32, oc: 64, size: 12 },
  { n: 5, c: 3, oc: 4, size: 30 },
];

Deno.test(`native conv lanes: the chunk loop's output and input gradient${skipped}`, {
  ignore: probe.kernels === null,
}, () => {
  const native = probe.kernels!;
  try {
    for (const threads of [1, 2]) {
      setThreads(threads);
      for (const shape of SHAPES) {
        const what = `${threads} thread(s) ${JSON.stringify(shape)}`;
        const [y, gx, gw, gb] = convGrads(native, shape);
        const loop = convGrads(chunkLoop(native), shape);
        assertSameBits(y, loop[0], `${what}: output`);
        assertSameBits(gx, loop[1], `${what}: input gradient`);
        assertSameBits(gb, loop[3], `${what}: bias gradient`);
        // Summed per lane, then across lanes: the last bits differ from the chunk loop's.
        const scale = Math.max(...loop[2].map(Math.abs));
        gw.forEach((v, i) =>
          assert.ok(Math.abs(v - loop[2][i]) <= 1e-5 * scale, `${what}: gw[${i}]`)
        );
      }
    }
  } finally {
    shutdownThreads();
    setThreads(DEFAULT_THREADS);
  }
});

Deno.test(`native conv lanes: one thread and two give the same bits${skipped}`, {
  ignore: probe.kernels === null,
}, () =>
  onOneAndTwoThreads(wasm, (oneSet, twoSet) => {
    const two = SHAPES.map((shape) => convGrads(twoSet, shape));
    setThreads(1);
    const one = SHAPES.map((shape) => convGrads(oneSet, shape));
    one.forEach((tensors, s) =>
      tensors.forEach((t, i) => assertSameBits(two[s][i], t, `shape ${s} tensor ${i}`))
    );
  }));

Deno.test(`native conv lanes take float32, stride 1, no padding, several chunks${skipped}`, {
  ignore: probe.kernels === null,
}, () => {
  const native = probe.kernels!;
  const geo = { n: 64, c: 32, h: 12, w: 12, kh: 5, kw: 5, stride: 1, pad: 0, oh: 8, ow: 8 };
  const args = (over: Partial<typeof geo> & { chunk?: number }) => {
    const g = { ...geo, oc: 4, chunk: 2, ...over };
    return {
      weight: new Float32Array(4 * g.c * 25),
      geo: g,
      out: new Float32Array(g.n * 4 * g.oh * g.ow),
    };
  };
  const x = new Float32Array(64 * 32 * 144);
  assert.equal(native.convForward!(x, args({})), true);
  assert.equal(native.convForward!(x, args({ chunk: 64 })), false, "one chunk: nothing to share");
  assert.equal(native.convForward!(x, args({ pad: 1, oh: 10, ow: 10 })), false, "padding");
  assert.equal(
    native.convForward!(new Float64Array(x.length), {
      ...args({}),
      out: new Float64Array(64 * 4 * 64),
    }),
    false,
    "float64",
  );
  // Padded layers still train on native, through conv2d's own loop.
  const padded = convGrads(native, { n: 8, c: 2, oc: 3, size: 9, padding: 2 });
  const viaWasm = convGrads(wasm, { n: 8, c: 2, oc: 3, size: 9, padding: 2 });
  padded.forEach((t, i) =>
    t.forEach((v, j) => assert.ok(Math.abs(v - viaWasm[i][j]) <= 1e-4, `padded ${i}[${j}]`))
  );
});
