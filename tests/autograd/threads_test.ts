/**
 * Tests of the kernel threads: the threaded WebAssembly gemm gives the same
 * bits as one thread on every shape and flag (odd sizes, tile and block
 * edges, both SIMD builds), and so do im2col and col2im split by channels
 * (which onOneThread keeps on the caller), a convolution's forward and backward
 * and training steps of a small CNN; the settings validate; the shared-memory
 * rewrite of the module; and workers really take tasks.
 */

import assert from "node:assert/strict";
import {
  type GemmArgs,
  type Kernels,
  loadWasmKernels,
  referenceKernels,
  setThreads,
  shutdownThreads,
  threadCount,
  useKernels,
} from "../../autograd/kernels/mod.ts";
import { onOneThread, threadPool } from "../../autograd/kernels/threads/mod.ts";
import { kernelBuilds } from "../../autograd/kernels/wasm/instance.ts";
import { GEMM_TASK, sharedBinary } from "../../autograd/kernels/wasm/shared_memory.ts";
import { InklingError } from "../../autograd/errors.ts";
import { mul, rand, Rng, sum } from "../../mod.ts";
import { Conv2d } from "../../layers/mod.ts";
import { assertSameBits, randomArray } from "./float_arrays.ts";
import { trainSmallCnn } from "./small_cnn.ts";

/**
 * Sets `n` threads and waits until the pool's workers are up, so the checks
 * that follow really run on several threads (a new pool starts with the
 * first large call, and until its workers are up the caller runs every task).
 */
async function useThreads(n: number, kernels: Kernels): Promise<void> {
  setThreads(n);
  if (threadCount() === 1) return;
  const m = 128; // above the threaded-gemm threshold
  kernels.gemm({
    a: new Float32Array(m * m),
    b: new Float32Array(m * m),
    c: new Float32Array(m * m),
    m,
    n: m,
    k: m,
  });
  const pool = threadPool(() => null);
  assert.ok(pool, "a pool starts with the first large gemm");
  for (let i = 0; i < 1000 && pool.ready < n - 1; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.equal(pool.ready, n - 1, "every worker starts");
}

/** The default count, restored after each test. */
const DEFAULT_THREADS = threadCount();

function restore(): void {
  shutdownThreads();
  setThreads(DEFAULT_THREADS);
}

const ODD = [1, 5, 7, 13, 33];

Deno.test("threaded gemm: same bits as one thread on odd shapes, every flag, both builds", async () => {
  try {
    for (const simd of ["relaxed", "plain"] as const) {
      // Thresholds off, so even the small shapes go to the threads.
      const kernels = loadWasmKernels(referenceKernels, { simd, ignoreThresholds: true });
      assert.ok(kernels);
      // Never run on several threads: the build on its own, unshared memory.
      const alone = loadWasmKernels(referenceKernels, { simd, ignoreThresholds: true });
      assert.ok(alone);
      const shapes: [number, number, number][] = [];
      for (const m of ODD) for (const n of ODD) for (const k of ODD) shapes.push([m, n, k]);
      // Several tiles (48 rows, 128 columns), KC blocks (256), packing tasks, edges.
      shapes.push([97, 300, 257], [130, 9, 600], [6, 520, 33], [257, 263, 65], [49, 8, 513]);
      for (const threads of [2, 3]) {
        for (const [m, n, k] of shapes) {
          const a = randomArray(m * k, m * 7 + k);
          const b = randomArray(k * n, n * 13 + k);
          const c0 = randomArray(m * n, m + n);
          for (let flags = 0; flags < 8; flags++) {
            const args = (c: Float32Array): GemmArgs => ({
              a,
              b,
              c,
              m,
              n,
              k,
              transA: (flags & 1) > 0,
              transB: (flags & 2) > 0,
              accumulate: (flags & 4) > 0,
            });
            setThreads(1);
            const one = c0.slice();
            alone.gemm(args(one));
            await useThreads(threads, kernels);
            const many = c0.slice();
            kernels.gemm(args(many));
            assertSameBits(many, one, `${simd} ${threads} threads ${m}×${n}×${k} flags ${flags}`);
          }
        }
      }
    }
    assert.ok(threadPool(() => null)!.tasksByWorkers > 0, "workers ran tasks");
  } finally {
    restore();
  }
});

Deno.test("threaded im2col and col2im: same bits as one thread, split by channels", async () => {
  try {
    // Thresholds off, so every call with two channels or more goes to the threads.
    const kernels = loadWasmKernels(referenceKernels, { ignoreThresholds: true });
    assert.ok(kernels);
    const jobs = () => threadPool(() => null)?.jobs ?? 0;
    // [n, c, h, w, k, stride, pad]: dense (stride 1, no padding), padded, strided; channel counts
    // that split into ranges of one, of several and with a short last range.
    const shapes = [
      [2, 32, 12, 12, 5, 1, 0],
      [3, 7, 9, 11, 3, 1, 1],
      [2, 2, 8, 8, 3, 2, 0],
      [1, 13, 6, 5, 2, 1, 2],
    ];
    for (const [n, c, h, w, k, stride, pad] of shapes) {
      const oh = Math.floor((h + 2 * pad - k) / stride) + 1;
      const ow = Math.floor((w + 2 * pad - k) / stride) + 1;
      const g = { n, c, h, w, kh: k, kw: k, stride, pad, oh, ow };
      const what = JSON.stringify(g);
      const x = randomArray(n * c * h * w, c * h);
      const colsSize = c * k * k * n * oh * ow;
      const want = new Float32Array(colsSize);
      referenceKernels.im2col(x, { ...g, cols: want });
      const grad = randomArray(colsSize, colsSize);
      const image = randomArray(x.length, 11);
      const imageWant = image.slice();
      referenceKernels.col2im(grad, { ...g, out: imageWant });
      await useThreads(2, kernels);
      const before = jobs();
      const cols = new Float32Array(colsSize).fill(7);
      kernels.im2col(x, { ...g, cols });
      kernels.col2im(grad, { ...g, out: image });
      assert.equal(jobs(), before + 2, `${what}: both ran on the pool`);
      assertSameBits(cols, want, `im2col ${what}`);
      assertSameBits(image, imageWant, `col2im ${what}`);
    }
  } finally {
    restore();
  }
});

Deno.test("onOneThread: kernel calls inside it stay on the calling thread", async () => {
  try {
    const kernels = loadWasmKernels(referenceKernels, { ignoreThresholds: true });
    assert.ok(kernels);
    await useThreads(2, kernels);
    const pool = threadPool(() => null)!;
    const g = { n: 2, c: 8, h: 9, w: 9, kh: 3, kw: 3, stride: 1, pad: 0, oh: 7, ow: 7 };
    const x = randomArray(2 * 8 * 81, 5);
    const pooled = new Float32Array(8 * 9 * 2 * 49);
    kernels.im2col(x, { ...g, cols: pooled });
    const before = pool.jobs;
    const alone = new Float32Array(pooled.length);
    assert.equal(onOneThread(() => (kernels.im2col(x, { ...g, cols: alone }), 7)), 7);
    assert.equal(pool.jobs, before, "no job went to the pool");
    assertSameBits(alone, pooled, "im2col");
  } finally {
    restore();
  }
});

/** Runs `body` on the default-threshold wasm kernels with `threads` threads. */
async function withThreads<T>(threads: number, body: () => T): Promise<T> {
  const kernels = loadWasmKernels(referenceKernels);
  assert.ok(kernels);
  await useThreads(threads, kernels);
  const pool = threadPool(() => null);
  const before = pool?.jobs ?? 0;
  const previous = useKernels(kernels);
  try {
    return body();
  } finally {
    useKernels(previous);
    // Whether a worker wakes in time to claim a task depends on the machine's load (the
    // caller claims tasks too), so this checks the threaded path was taken; the gemm test
    // above, over many jobs, checks that workers compute.
    if (threads > 1) assert.ok(pool!.jobs > before, "kernels ran jobs on the pool");
  }
}

Deno.test("threaded conv2d: forward and backward give the same bits as one thread", async () => {
  try {
    const run = () => {
      const rng = new Rng(3);
      const conv = new Conv2d({ in: 3, out: 16 }, 5, { rng, padding: 2 });
      const x = rand([8, 3, 20, 20], { rng, requiresGrad: true });
      const y = conv.forward(x);
      const grad = rand(y.shape, { rng });
      sum(mul(y, grad)).backward();
      return [y, x.grad!, ...conv.parameters().map((p) => p.grad!)].map((t) =>
        (t.data as Float32Array).slice()
      );
    };
    const one = await withThreads(1, run);
    const two = await withThreads(2, run);
    for (let i = 0; i < one.length; i++) assertSameBits(two[i], one[i], `conv result ${i}`);
  } finally {
    restore();
  }
});

Deno.test("training a small CNN for a few steps gives the same weights on 1 and 2 threads", async () => {
  try {
    const one = await withThreads(1, trainSmallCnn);
    const two = await withThreads(2, trainSmallCnn);
    assert.deepEqual(two.losses, one.losses);
    for (let i = 0; i < one.weights.length; i++) {
      assertSameBits(two.weights[i], one.weights[i], `parameter ${i}`);
    }
  } finally {
    restore();
  }
});

Deno.test("a task that traps fails its job with the task, its thread and the trap; the pool goes on", async () => {
  const kernels = loadWasmKernels(referenceKernels)!;
  try {
    await useThreads(2, kernels);
    const pool = threadPool(() => null)!;
    // Job words past the end of the memory (at most 1 GiB): every gemm_task traps reading them.
    assert.throws(
      () => pool.run({ module: 0, fn: GEMM_TASK, arg: 0x7ffffff0, tasks: 2, phase1: 0 }),
      (error: Error) =>
        error instanceof InklingError &&
        /^ThreadPool\.run: a task failed: gemm_task, task [01] on thread [01]: RuntimeError: memory access out of bounds/
          .test(error.message),
    );
    const m = 128; // above the threaded-gemm threshold
    const [a, b] = [randomArray(m * m, 1), randomArray(m * m, 2)];
    const [c1, c2] = [new Float32Array(m * m), new Float32Array(m * m)];
    const jobs = pool.jobs;
    onOneThread(() => kernels.gemm({ a, b, c: c1, m, n: m, k: m }));
    kernels.gemm({ a, b, c: c2, m, n: m, k: m });
    assert.equal(pool.jobs, jobs + 1, "the next product runs on the pool");
    assertSameBits(c2, c1, "and gives one thread's bits");
  } finally {
    restore();
  }
});

Deno.test("setThreads takes integers from 1 to 64; threadCount defaults to the cores", () => {
  try {
    const cores = navigator.hardwareConcurrency;
    assert.equal(DEFAULT_THREADS, Math.min(cores, 64));
    for (const bad of [0, -1, 1.5, 65, NaN]) assert.throws(() => setThreads(bad), /setThreads/);
    setThreads(1);
    assert.equal(threadCount(), 1);
    setThreads(3);
    assert.equal(threadCount(), 3);
  } finally {
    restore();
  }
});

Deno.test("the shared-memory rewrite imports a shared memory and keeps the exports", () => {
  const { relaxed, plain } = kernelBuilds();
  for (const binary of [relaxed, plain]) {
    if (!WebAssembly.validate(binary)) continue;
    const rewritten = sharedBinary(binary);
    assert.ok(rewritten);
    const module = new WebAssembly.Module(rewritten);
    assert.deepEqual(WebAssembly.Module.imports(module), [
      { module: "env", name: "memory", kind: "memory" },
    ]);
    const exports = (m: WebAssembly.Module) =>
      WebAssembly.Module.exports(m).map((e) => `${e.name}:${e.kind}`).sort();
    assert.deepEqual(exports(module), exports(new WebAssembly.Module(binary)));
    // Not a module it knows how to rewrite: one that already imports.
    assert.equal(sharedBinary(rewritten), null);
  }
});
