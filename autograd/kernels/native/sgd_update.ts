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
 * Kernel time per training step, measured: the MLP (1024-64-36, plain SGD)
 * 29 µs, against 40 µs for the copy, scale and axpy that kept the
 * WebAssembly set's bits; the autoencoder (momentum) 41 µs against 66 µs.
 *
 * @module
 */

import type { Kernels } from "../kernels.ts";
import type { BlasLevel1 } from "./blas.ts";

/** Returns the sgdUpdate kernel of the native backend. */
export function nativeSgdUpdate(blas: BlasLevel1, fallback: Kernels): Kernels["sgdUpdate"] {
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
    if (velocity === undefined) {
      blas.saxpy(n, -lr, grad, param);
      return;
    }
    blas.sscal(n, momentum, velocity);
    blas.saxpy(n, -lr, grad, velocity);
    blas.saxpy(n, 1, velocity, param);
  };
}
