/**
 * The sgdUpdate kernel of the native backend: SGD's parameter update in
 * place on the caller's arrays with level-1 BLAS, with no copies into
 * WebAssembly memory — `saxpy` for param ← param − lr·g; `sscal` and two
 * `saxpy` for the momentum form (velocity ← μ·velocity − lr·g, then
 * param ← param + velocity).
 *
 * Like the native gemm, this rounds its own way: BLAS's `saxpy` may fuse
 * the multiply and the add, so the last bits can differ from the WebAssembly
 * set's axpby calls (each result is still within an ulp or two of the exact
 * update, and the same for every thread count, since every element is
 * updated alone). A zero learning rate or momentum goes to the fallback:
 * `sscal` by 0 fills zeros and `saxpy` by 0 returns early, where the update
 * must keep a NaN·0 as NaN.
 *
 * A large update (at least {@linkcode SPLIT_MIN_LENGTH} elements) is cut
 * into {@linkcode PARTS} fixed parts that run side by side on the
 * engine's thread pool, as the gemm's panels do (tasks.ts): not for the
 * arithmetic, which is light, but because the pool's other thread has just
 * read half of the weight for its panel of the forward product, and a write
 * to a cache line another core holds must first take it from that core.
 * Done on the calling thread alone, the MLP's update (1024-64-36, a weight
 * of 65,536 floats) took 25–33 µs a step, against 8.5 µs when the whole step
 * ran on one thread; in parts it takes about 11. The parts depend on the
 * length alone and every element is updated alone, so the bits are the same
 * for every thread count.
 *
 * Kernel time per training step, measured: the MLP (1024-64-36, plain SGD)
 * 29 µs, against 40 µs for the copy, scale and axpy that kept the
 * WebAssembly set's bits; the autoencoder (momentum) 41 µs against 66 µs.
 *
 * @module
 */

import type { Kernels } from "../kernels.ts";
import type { Blas, BlasLevel1 } from "./blas.ts";
import { address } from "./gemm.ts";
import { nativeHost, runTasks } from "./host.ts";
import { PARTS, partStarts, UPDATE_WORDS as U } from "./jobs.ts";

/** Updates shorter than this run as one set of calls on the calling thread. */
export const SPLIT_MIN_LENGTH = 1 << 14;

/** One update of `count` elements from `from` on the caller's arrays. */
function updateRange(
  blas: BlasLevel1,
  arrays: { param: Float32Array; grad: Float32Array; velocity?: Float32Array },
  options: { from: number; count: number; lr: number; momentum: number },
): void {
  const { from, count, lr, momentum } = options;
  const part = (x: Float32Array) =>
    from === 0 && count === x.length ? x : x.subarray(from, from + count);
  const [param, grad] = [part(arrays.param), part(arrays.grad)];
  if (arrays.velocity === undefined) {
    blas.saxpy(count, -lr, grad, param);
    return;
  }
  const velocity = part(arrays.velocity);
  blas.sscal(count, momentum, velocity);
  blas.saxpy(count, -lr, grad, velocity);
  blas.saxpy(count, 1, velocity, param);
}

/**
 * Returns the sgdUpdate kernel of the native backend. `threads` 1 keeps
 * every update on the calling thread; null runs large ones on the engine's
 * pool.
 */
export function nativeSgdUpdate(
  blas: Blas & { level1: BlasLevel1 },
  options: { fallback: Kernels; threads: 1 | null },
): Kernels["sgdUpdate"] {
  const { fallback, threads } = options;
  return (param, args) => {
    const { grad, lr, velocity } = args;
    const momentum = args.momentum ?? 0;
    const n = param.length;
    if (
      !(param instanceof Float32Array && grad instanceof Float32Array) ||
      !(velocity === undefined || velocity instanceof Float32Array) ||
      Math.fround(lr) === 0 || (velocity !== undefined && Math.fround(momentum) === 0)
    ) {
      fallback.sgdUpdate(param, args);
      return;
    }
    const arrays = { param, grad, velocity };
    if (n < SPLIT_MIN_LENGTH) {
      updateRange(blas.level1, arrays, { from: 0, count: n, lr, momentum });
      return;
    }
    const host = nativeHost(blas);
    const words = host.update;
    words.set(partStarts(n), U.starts);
    words.set([lr, momentum, address(param), address(grad), velocity ? address(velocity) : -1]);
    runTasks(host, {
      name: "sgd_update",
      count: PARTS,
      threads,
      here: (task) => {
        const from = words[U.starts + task];
        const count = words[U.starts + task + 1] - from;
        updateRange(blas.level1, arrays, { from, count, lr, momentum });
      },
    });
  };
}
