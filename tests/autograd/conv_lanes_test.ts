/**
 * Tests of the convolution lanes of the WebAssembly set (wasm/conv_lanes.ts)
 * and the native set (native/conv.ts): conv2d's forward and backward on the
 * lanes give the chunk loop's output and input gradient bit for bit and its
 * weight gradient to rounding (with a fused activation too), with the same
 * bits on one thread and two; the lanes take only what they can (float32,
 * more than one chunk), and what they do not take trains through the chunk
 * loop. conv2dMaxPool gives the bits of conv2d, maxPool2d and relu through
 * the lanes' fused pooling. The native cases are
 * skipped (ignored, with the reason in the name) without OpenBLAS.
 */

import assert from "node:assert/strict";
import {
  type ActivationOp,
  type Kernels,
  setThreads,
  shutdownThreads,
  threadCount,
} from "../../autograd/kernels/mod.ts";
import { threadPool } from "../../autograd/kernels/threads/mod.ts";
import { maxPool2d, mul, rand, relu, Rng, sum, type Tensor } from "../../mod.ts";
import { Conv2d } from "../../layers/mod.ts";
import { assertSameBits, randomArray } from "./float_arrays.ts";
import { withKernels } from "./op_check.ts";
import { probe, wasm } from "./native_sets.ts";

const DEFAULT_THREADS = threadCount();

/** The sets with lanes: name, kernels (null when missing) and why they are skipped. */
const SETS: { name: string; kernels: Kernels | null; skipped: string }[] = [
  { name: "wasm", kernels: wasm, skipped: "" },
  {
    name: "native",
    kernels: probe.kernels,
    skipped: probe.kernels === null ? ` (skipped: ${probe.reason})` : "",
  },
];

/** Runs `body` on 1 and on 2 threads, putting the thread count back (and stopping the pool). */
function onEachThreadCount(body: (threads: number) => void): void {
  try {
    for (const threads of [1, 2]) {
      setThreads(threads);
      body(threads);
    }
  } finally {
    shutdownThreads();
    setThreads(DEFAULT_THREADS);
  }
}

/** A set without its convolution kernels: conv2d then runs its own chunk loop. */
function chunkLoop(kernels: Kernels): Kernels {
  const { convForward: _f, convBackward: _b, ...rest } = kernels;
  return rest;
}

/** A conv layer's shape, and the activation fused after it (Sequential's `forwardWith`), if any. */
type ConvShape = {
  n: number;
  c: number;
  oc: number;
  size: number;
  padding?: number;
  stride?: number;
  activation?: ActivationOp;
};

/** A seeded 5×5 conv layer of `shape` and an input batch in [−1, 1] that needs its gradient. */
function layerAndInput(shape: ConvShape, rng: Rng): { conv: Conv2d; x: Tensor } {
  const { padding, stride } = shape;
  const conv = new Conv2d({ in: shape.c, out: shape.oc }, 5, { rng, padding, stride });
  const x = rand([shape.n, shape.c, shape.size, shape.size], {
    rng,
    low: -1,
    high: 1,
    requiresGrad: true,
  });
  return { conv, x };
}

/** y, the input gradient, the weight gradient and the bias gradient of one conv layer. */
function convGrads(kernels: Kernels, shape: ConvShape): Float32Array[] {
  return withKernels(kernels, () => {
    const rng = new Rng(5);
    const { conv, x } = layerAndInput(shape, rng);
    const y = conv.forwardWith(x, shape.activation ?? null);
    sum(mul(y, rand(y.shape, { rng, low: -1, high: 1 }))).backward();
    return [y, x.grad!, conv.weight.grad!, conv.bias!.grad!].map((t) =>
      (t.data as Float32Array).slice()
    );
  });
}

// The MNIST CNN's two layers (several chunks each) with and without their ReLU, a batch of a
// few one-image chunks, padded ("same") layers as in the glyph CNN, and a strided one. The
// activations' chunks of 2·5·27² and 3·3·26² floats are not whole blocks of sixteen (the lanes' last
// blocks then go through a temporary: a block past a chunk's end would be the other lane's).
const SHAPES: ConvShape[] = [
  { n: 64, c: 1, oc: 32, size: 28 },
  { n: 64, c: 1, oc: 32, size: 28, activation: "relu" },
  { n: 64, c: 32, oc: 64, size: 12 },
  { n: 64, c: 32, oc: 64, size: 12, activation: "relu" },
  { n: 5, c: 3, oc: 4, size: 30 },
  { n: 5, c: 3, oc: 5, size: 31, activation: "sigmoid" },
  { n: 32, c: 1, oc: 16, size: 28, padding: 2 },
  { n: 16, c: 8, oc: 12, size: 14, padding: 2, activation: "tanh" },
  { n: 9, c: 3, oc: 5, size: 31, padding: 1, stride: 2 },
  { n: 8, c: 2, oc: 3, size: 30, activation: "relu" },
];

for (const { name, kernels, skipped } of SETS) {
  Deno.test(`${name} conv lanes: the chunk loop's output and input gradient${skipped}`, {
    ignore: kernels === null,
  }, () =>
    onEachThreadCount((threads) => {
      for (const shape of SHAPES) {
        const what = `${threads} thread(s) ${JSON.stringify(shape)}`;
        const [y, gx, gw, gb] = convGrads(kernels!, shape);
        const loop = convGrads(chunkLoop(kernels!), shape);
        assertSameBits(y, loop[0], `${what}: output`);
        assertSameBits(gx, loop[1], `${what}: input gradient`);
        assertSameBits(gb, loop[3], `${what}: bias gradient`);
        // Summed per lane, then across lanes: the last bits differ from the chunk loop's.
        const scale = Math.max(...loop[2].map(Math.abs));
        gw.forEach((v, i) =>
          assert.ok(Math.abs(v - loop[2][i]) <= 1e-5 * scale, `${what}: gw[${i}]`)
        );
      }
    }));

  Deno.test(`${name} conv lanes: one thread and two give the same bits${skipped}`, {
    ignore: kernels === null,
  }, () => {
    const runs: Float32Array[][][] = [];
    onEachThreadCount((threads) => {
      const before = threadPool(() => null)?.jobs ?? 0;
      runs.push(SHAPES.map((shape) => convGrads(kernels!, shape)));
      const jobs = (threadPool(() => null)?.jobs ?? 0) - before;
      assert.equal(jobs > 0, threads === 2, `${threads} thread(s): lanes on the pool`);
    });
    runs[0].forEach((tensors, s) =>
      tensors.forEach((t, i) => assertSameBits(runs[1][s][i], t, `shape ${s} tensor ${i}`))
    );
  });

  Deno.test(
    `${name} conv lanes take float32 batches of several chunks, and 2×2 poolings${skipped}`,
    {
      ignore: kernels === null,
    },
    () => {
      const k = kernels!;
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
      assert.equal(k.convForward!(x, args({})), true);
      assert.equal(k.convForward!(x, args({ pad: 2, oh: 12, ow: 12 })), true, "padding");
      assert.equal(k.convForward!(x, args({ stride: 2, oh: 4, ow: 4 })), true, "stride 2");
      assert.equal(k.convForward!(x, args({ chunk: 64 })), false, "one chunk: nothing to share");
      // A fused pooling: 2×2 at stride 2 (4×4 of the 8×8 planes), with a ReLU at most.
      const pool = { oh: 4, ow: 4, index: new Int32Array(64 * 4 * 16) };
      const pooled = { ...args({}), out: new Float32Array(64 * 4 * 16) };
      assert.equal(k.convForward!(x, { ...pooled, pool }), true, "a 2×2 pooling");
      assert.equal(k.convForward!(x, { ...pooled, pool: { ...pool, oh: 3 } }), false, "3×4 of 8×8");
      assert.equal(
        k.convForward!(x, { ...pooled, pool, activation: "sigmoid" }),
        false,
        "a sigmoid with a pooling",
      );
      assert.equal(
        k.convForward!(new Float64Array(x.length), {
          ...args({}),
          out: new Float64Array(64 * 4 * 64),
        }),
        false,
        "float64",
      );
    },
  );
}

Deno.test(
  `native conv lanes: arrays inside larger ones, nothing around them written; short ones declined${
    SETS[1].skipped
  }`,
  { ignore: probe.kernels === null },
  () =>
    onEachThreadCount((threads) => {
      // The lanes copy the caller's chunks in and out through their addresses.
      const k = probe.kernels!;
      const geo = { n: 8, c: 3, h: 12, w: 12, kh: 5, kw: 5, stride: 1, pad: 0, oh: 8, ow: 8 };
      const g = { ...geo, oc: 4, chunk: 2 };
      const [image, outputs, weights] = [8 * 3 * 144, 8 * 4 * 64, 4 * 3 * 25];
      /** A random array of `length` inside a larger one, 17 elements in. */
      const inside = (length: number, seed: number) =>
        randomArray(length + 40, seed).subarray(17, 17 + length);
      type Arrays = Record<"x" | "weight" | "bias" | "gz" | "out" | "gx" | "gw", Float32Array>;
      /** The layer's forward and backward on these arrays, writing out, gx and gw. */
      const run = (a: Arrays) => {
        assert.ok(k.convForward!(a.x, { weight: a.weight, bias: a.bias, geo: g, out: a.out }));
        assert.ok(k.convBackward!(a.gz, { x: a.x, weight: a.weight, geo: g, gx: a.gx, gw: a.gw }));
      };
      const given = { x: inside(image, 1), weight: inside(weights, 2), bias: inside(4, 3) };
      const inputs = { ...given, gz: inside(outputs, 4) };
      const [out, gx, gw] = [inside(outputs, 5), inside(image, 6), inside(weights, 7)];
      const around = [out, gx, gw].map((a) => new Float32Array(a.buffer).slice());
      run({ ...inputs, out, gx, gw });
      const want = [new Float32Array(outputs), new Float32Array(image), new Float32Array(weights)];
      const alone = Object.fromEntries(
        Object.entries(inputs).map(([name, a]) => [name, a.slice()]),
      );
      run({ ...alone as typeof inputs, out: want[0], gx: want[1], gw: want[2] });
      [out, gx, gw].forEach((a, i) => {
        const what = `${threads} thread(s), array ${i}`;
        assertSameBits(a, want[i], `${what}: as whole arrays`);
        const whole = new Float32Array(a.buffer);
        assertSameBits(whole.subarray(0, 17), around[i].subarray(0, 17), `${what}: before it`);
        assertSameBits(
          whole.subarray(17 + a.length),
          around[i].subarray(17 + a.length),
          `${what}: after it`,
        );
      });
      assert.equal(
        k.convForward!(given.x.subarray(1), {
          weight: given.weight,
          bias: given.bias,
          geo: g,
          out,
        }),
        false,
        "short input",
      );
      assert.equal(
        k.convBackward!(inputs.gz, {
          x: given.x,
          weight: given.weight,
          geo: g,
          gx: gx.subarray(1),
        }),
        false,
        "short gx",
      );
    }),
);

/** A conv layer's shape for a fused pooling, and whether a ReLU comes between. */
type PoolShape = Omit<ConvShape, "activation"> & { relu: boolean };

/**
 * One conv layer and a 2×2 max pooling (and a ReLU), fused or as the three
 * ops: the op that made the output, the output, and the gradients of the
 * input, the weight and the bias.
 */
function poolGrads(
  kernels: Kernels,
  shape: PoolShape,
  fused: boolean,
): { op: string; tensors: Float32Array[] } {
  return withKernels(kernels, () => {
    const rng = new Rng(9);
    const { conv, x } = layerAndInput(shape, rng);
    let y: Tensor;
    if (fused) {
      y = conv.forwardPooled(x, { relu: shape.relu });
    } else {
      y = maxPool2d(conv.forward(x), { kernel: 2 });
      if (shape.relu) y = relu(y);
    }
    const op = y.node?.op ?? "";
    sum(mul(y, rand(y.shape, { rng, low: -1, high: 1 }))).backward();
    const tensors = [y, x.grad!, conv.weight.grad!, conv.bias!.grad!].map((t) =>
      (t.data as Float32Array).slice()
    );
    return { op, tensors };
  });
}

// The MNIST CNN's blocks, one without its ReLU, odd output planes (the last row and column are
// not pooled), and a padded layer.
const POOL_SHAPES: PoolShape[] = [
  { n: 64, c: 1, oc: 32, size: 28, relu: true },
  { n: 64, c: 32, oc: 64, size: 12, relu: true },
  { n: 64, c: 32, oc: 64, size: 12, relu: false },
  { n: 8, c: 2, oc: 3, size: 31, relu: true },
  { n: 32, c: 1, oc: 16, size: 28, padding: 2, relu: true },
];

for (const { name, kernels, skipped } of SETS) {
  Deno.test(`${name} conv lanes: a fused 2×2 max pooling gives the unfused ops' bits${skipped}`, {
    ignore: kernels === null,
  }, () =>
    onEachThreadCount((threads) => {
      for (const shape of POOL_SHAPES) {
        const what = `${threads} thread(s) ${JSON.stringify(shape)}`;
        const fused = poolGrads(kernels!, shape, true);
        const ops = poolGrads(kernels!, shape, false);
        assert.equal(fused.op, "conv2dMaxPool", `${what}: the lanes pooled`);
        ["output", "input gradient", "weight gradient", "bias gradient"].forEach((t, i) =>
          assertSameBits(fused.tensors[i], ops.tensors[i], `${what}: ${t}`)
        );
      }
    }));
}
