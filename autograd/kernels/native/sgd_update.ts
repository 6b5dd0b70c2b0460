/**
 * The sgdUpdate kernel of the native backend: the parameter update of SGD
 * in place on the caller's arrays with level-1 BLAS (no copies into
 * WebAssembly memory), wherever the BLAS routines round exactly as the
 * axpby calls of the fallback's update do; the rest goes to the fallback.
 *
 * - param ← param + velocity (momentum): `saxpy` with α = 1 is one
 *   correctly rounded float32 sum, fused multiply-add or not, and so is
 *   every backend's axpby with α = β = 1 (the reference sums in float64 and
 *   rounds once, which for a sum of two float32 values is the same number).
 *   The velocity update itself, μ·v − lr·g, rounds differently per backend
 *   (float64, or float32 with or without a fused multiply-add), so the
 *   fallback's axpby still runs it.
 * - param ← param − lr·g (no momentum): float32 arithmetic rounds it
 *   fl(param + fl(g·fl(−lr))), with or without a fused multiply-add since
 *   α = 1, which a copy of g, `sscal` and `saxpy` with α = 1 reproduce. That
 *   is how the WebAssembly axpby rounds from {@linkcode AXPBY_MIN_LENGTH}
 *   elements up (below, its fallback rounds in float64), so only those
 *   lengths run here: over the WebAssembly set, the set it normally runs
 *   on, the bits are unchanged.
 *
 * Measured (µs, 2-core VM, 65,536 elements, plain SGD): the streamed
 * WebAssembly axpby 29.9, copy + scale + axpy 15.5; param + velocity over
 * 32,768 elements: 13.3 against 2.5.
 *
 * @module
 */

import type { Kernels } from "../kernels.ts";
import { AXPBY_MIN_LENGTH } from "../wasm/elementwise.ts";
import type { BlasLevel1 } from "./blas.ts";

/** Returns the sgdUpdate kernel of the native backend. */
export function nativeSgdUpdate(blas: BlasLevel1, fallback: Kernels): Kernels["sgdUpdate"] {
  // Scratch for −lr·g (the gradient itself is never written): grown, never shrunk.
  let scaled = new Float32Array(0);
  return (param, args) => {
    const { grad, lr, velocity } = args;
    const n = param.length;
    if (!(param instanceof Float32Array && grad instanceof Float32Array)) {
      fallback.sgdUpdate(param, args);
      return;
    }
    if (velocity !== undefined) {
      if (!(velocity instanceof Float32Array)) {
        fallback.sgdUpdate(param, args);
        return;
      }
      fallback.axpby({ a: velocity, alpha: args.momentum ?? 0, b: grad, beta: -lr, out: velocity });
      blas.saxpy(n, 1, velocity, param);
      return;
    }
    // sscal treats a zero factor as "fill with zeros" (so 0·NaN would be 0): leave it to the fallback.
    if (n < AXPBY_MIN_LENGTH || Math.fround(lr) === 0) {
      fallback.sgdUpdate(param, args);
      return;
    }
    if (scaled.length < n) scaled = new Float32Array(n);
    blas.scopy(n, grad, scaled);
    blas.sscal(n, -lr, scaled);
    blas.saxpy(n, 1, scaled, param);
  };
}
