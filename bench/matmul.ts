/**
 * Benchmark: GFLOP/s of the WebAssembly SIMD gemm through the kernel
 * interface (copies into and out of WebAssembly memory included) at three
 * shapes m×k×n: 32×1024×64 (the MLP's first layer at batch 32),
 * 256×1024×256 and 1024×1024×1024. Median of several timed runs after a
 * warm-up run.
 */

import { InklingError } from "../autograd/errors.ts";
import { type Kernels, loadWasmKernels, referenceKernels } from "../autograd/kernels/mod.ts";
import type { BenchResult } from "./result.ts";

/** The shapes measured, as [m, k, n]. */
const SHAPES: [number, number, number][] = [[32, 1024, 64], [256, 1024, 256], [1024, 1024, 1024]];

/** Each timed run repeats the product until it has done at least this many flops. */
const FLOPS_PER_RUN = 2e8;

/** Minimum warm-up time per shape, in ms. */
const WARM_UP_MS = 100;

/** Times the wasm gemm at each shape of {@linkcode SHAPES}. */
export function benchMatmul(options: { runs?: number } = {}): BenchResult[] {
  const kernels = loadWasmKernels(referenceKernels);
  if (kernels === null) {
    throw new InklingError("benchMatmul: this engine has no WebAssembly SIMD");
  }
  return SHAPES.map(([m, k, n]) => ({
    name: `matmul_${m}x${k}x${n}`,
    value: gemmGflops(kernels, { m, k, n, runs: options.runs }),
    unit: "GFLOP/s",
  }));
}

/**
 * GFLOP/s of `kernels.gemm` for an m×k by k×n product (one decimal): the
 * median of `runs` (default 9) timed runs after a warm-up. The operands are
 * fixed ramps, which bench/peers/numpy_peers.py builds the same way.
 */
export function gemmGflops(
  kernels: Kernels,
  shape: { m: number; k: number; n: number; runs?: number },
): number {
  const { m, k, n } = shape;
  const a = Float32Array.from({ length: m * k }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const b = Float32Array.from({ length: k * n }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
  const c = new Float32Array(m * n);
  const flops = 2 * m * n * k;
  const reps = Math.max(1, Math.round(FLOPS_PER_RUN / flops));
  const run = () => {
    for (let r = 0; r < reps; r++) kernels.gemm({ a, b, c, m, n, k });
  };
  // Warm up long enough for V8 to tier the module up from its baseline
  // compiler (it does within a few ms) and for the scratch memory to grow.
  const warmUntil = performance.now() + WARM_UP_MS;
  do run(); while (performance.now() < warmUntil);
  const times: number[] = [];
  for (let i = 0; i < (shape.runs ?? 9); i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  const seconds = times[times.length >> 1] / 1000;
  return Math.round((flops * reps) / seconds / 1e8) / 10;
}

if (import.meta.main) {
  for (const result of benchMatmul()) console.log(JSON.stringify(result));
}
