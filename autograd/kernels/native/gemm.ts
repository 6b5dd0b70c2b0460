/**
 * The gemm of the native backend: float32 products go straight to
 * `cblas_sgemm` on the caller's arrays (no copy: FFI passes the typed
 * arrays' memory, subarray offsets included); Float64Array storage and empty
 * products go to the fallback.
 *
 * No size threshold: an FFI call costs about 0.1 µs, and measured medians
 * (µs, OpenBLAS 0.3.21 on one thread, loaded 2-core machine) put BLAS ahead
 * of the WebAssembly kernels at every size: 4×4×4 0.08 (wasm 0.11),
 * 8×8×8 0.09 (0.14), 32×64×36 1.6 (4.0), 1×1024×64 2.7 (21.8).
 *
 * @module
 */

import type { GemmArgs, Kernels } from "../kernels.ts";
import type { Blas } from "./blas.ts";

/** Returns the gemm kernel of the native backend, running BLAS on `threads` threads. */
export function nativeGemm(
  blas: Blas,
  options: { fallback: Kernels; threads: number },
): (args: GemmArgs) => void {
  const { fallback, threads } = options;
  return (args) => {
    const { a, b, c, m, n, k } = args;
    if (
      !(a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array) ||
      m === 0 || n === 0 || k === 0
    ) {
      // BLAS rejects zero leading dimensions; the fallback zero-fills a k = 0 product.
      fallback.gemm(args);
      return;
    }
    blas.useThreads(threads);
    blas.sgemm({
      a,
      b,
      c,
      m,
      n,
      k,
      transA: args.transA === true,
      transB: args.transB === true,
      beta: args.accumulate ? 1 : 0,
    });
  };
}
