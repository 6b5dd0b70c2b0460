/**
 * Benchmark: the wasm backend on 1 thread and on several (`setThreads`):
 * GFLOP/s of the 256×1024×256 matmul and of a 128×128×128 one (just above
 * the threaded-gemm threshold), training images/s of the 5×5 MNIST CNN of
 * workloads.ts, and the cost of handing a job to the workers.
 *
 * Lines: `matmul_256x1024x256_wasm_t<N>`, `matmul_128x128x128_wasm_t<N>`,
 * `cnn5x5_images_per_s_wasm_t<N>` for N = 1, 2 and the number of cores, and
 * `thread_handoff_us`: the extra time of a 16×16×16 gemm forced onto 2
 * threads over the same on 1 (it does almost no work, so this is the
 * publish–wake–wait round trip). Thread counts are timed alternately, round
 * after round, and each line is the median over the rounds, so a machine
 * whose load changes during the run biases no count. The load average goes
 * to stderr with the results: a second thread only helps on an idle core.
 */

import { InklingError } from "../autograd/errors.ts";
import {
  type Kernels,
  loadWasmKernels,
  referenceKernels,
  setThreads,
  shutdownThreads,
  threadCount,
  useKernels,
} from "../autograd/kernels/mod.ts";
import { gemmGflops } from "./matmul.ts";
import type { BenchResult } from "./result.ts";
import { cnnImagesPerSecond } from "./workloads.ts";

const ROUNDS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[sorted.length >> 1];
}

/** Median µs of one call of `body` over many calls. */
function callMicros(body: () => void): number {
  for (let i = 0; i < 200; i++) body();
  const times: number[] = [];
  for (let i = 0; i < 501; i++) {
    const t0 = performance.now();
    body();
    times.push((performance.now() - t0) * 1000);
  }
  return median(times);
}

/** The hand-off round trip: a tiny gemm on 2 threads against 1, in µs. */
function handoffMicros(kernels: Kernels): number {
  const m = 16;
  const args = {
    a: new Float32Array(m * m),
    b: new Float32Array(m * m),
    c: new Float32Array(m * m),
  };
  const gemm = () => kernels.gemm({ ...args, m, n: m, k: m });
  const extra: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    setThreads(1);
    const one = callMicros(gemm);
    setThreads(2);
    extra.push(callMicros(gemm) - one);
  }
  return Math.round(median(extra) * 10) / 10;
}

/** Times the workloads at each thread count; see the module doc. */
export function benchThreads(): BenchResult[] {
  const kernels = loadWasmKernels(referenceKernels);
  // Thresholds off: the hand-off is measured on a gemm far below them.
  const eager = loadWasmKernels(referenceKernels, { ignoreThresholds: true });
  if (kernels === null || eager === null) {
    throw new InklingError("benchThreads: this engine has no WebAssembly SIMD");
  }
  const cores = navigator.hardwareConcurrency;
  setThreads(2);
  // Where threads are unavailable threadCount() stays 1: time one thread only.
  const counts = threadCount() > 1 ? [...new Set([1, 2, cores])] : [1];
  const previous = useKernels(kernels);
  const samples = new Map<string, number[]>();
  const add = (name: string, value: number) =>
    samples.set(name, [...samples.get(name) ?? [], value]);
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const threads of counts) {
        setThreads(threads);
        for (const [m, k, n] of [[256, 1024, 256], [128, 128, 128]]) {
          add(`matmul_${m}x${k}x${n}_wasm_t${threads}`, gemmGflops(kernels, { m, k, n, runs: 3 }));
        }
        if (round < 3) add(`cnn5x5_images_per_s_wasm_t${threads}`, cnnImagesPerSecond());
      }
    }
    const results: BenchResult[] = [...samples].map(([name, values]) => ({
      name,
      value: name.startsWith("cnn") ? Math.round(median(values)) : median(values),
      unit: name.startsWith("cnn") ? "images/s" : "GFLOP/s",
    }));
    if (counts.length > 1) {
      results.push({ name: "thread_handoff_us", value: handoffMicros(eager), unit: "µs" });
    }
    return results;
  } finally {
    useKernels(previous);
    setThreads(cores);
    shutdownThreads();
    try {
      console.error(`bench/threads.ts: load average ${Deno.loadavg().join(", ")}`);
    } catch {
      // No --allow-sys: the load is not reported.
    }
  }
}

if (import.meta.main) {
  for (const result of benchThreads()) console.log(JSON.stringify(result));
}
