/**
 * The native backend: matrix products through a system BLAS — OpenBLAS's
 * `cblas_sgemm`, called with Deno's FFI (gemm.ts) — convolutions as chunks
 * of im2col + sgemm run side by side in lanes on the thread pool (conv.ts),
 * SGD's parameter update and the squared error's gradient through level-1
 * BLAS (sgd_update.ts, squared_error_grad.ts), exp, log, sigmoid and tanh
 * of large arrays (with a bias add before them) in parts on the pool
 * (unary.ts), max pooling of large batches in parts on the pool (pool.ts),
 * and huge pages asked for under a large data set that batches
 * are gathered from (huge_pages.ts); every other kernel from a fallback
 * {@linkcode Kernels} (normally the WebAssembly set, which itself falls back
 * to the reference kernels; lanes and parts use its module on the pool's
 * shared memory). The pool's side of it — the task code every thread runs,
 * the job words it reads — is in tasks.ts, jobs.ts and host.ts.
 *
 * Nothing is loaded at import time: {@linkcode loadNativeKernels} looks for
 * the library when called, and only when the runtime is Deno and FFI is
 * permitted (queried, never prompted for). The library is OpenBLAS found in
 * the system's usual places (Debian: `apt-get install libopenblas0`), or the
 * file named by the `INKLING_BLAS` environment variable.
 *
 * Determinism: for fixed inputs OpenBLAS returns bit-identical results run
 * after run at a fixed thread count, but not across its own thread counts:
 * OpenBLAS 0.3.21 (Cooperlake kernels) gave different bits for 1 and 2
 * threads at odd sizes (54,454 of 77,000 elements of a 1000×999×77 product;
 * 1,118 of a 33×4097×65 one). So OpenBLAS always runs on one thread, and a
 * large product is cut into panels of C (or along k, with the partial
 * products added in a fixed order) by its shape alone (panels.ts), the
 * panels running side by side on the engine's thread pool (gemm.ts): every
 * thread count makes the same single-threaded BLAS calls and gives the same
 * bits. Updates and unary ops are cut by their length alone, element by
 * element, so they too give one set of bits.
 * Results still depend on the CPU, since OpenBLAS picks its kernels per
 * processor at load time.
 *
 * @module
 */

import { InklingError } from "../../errors.ts";
import type { Kernels } from "../kernels.ts";
import { onOneThread } from "../threads/mod.ts";
import { openBlas } from "./blas.ts";
import { nativeConv } from "./conv.ts";
import { nativeGemm } from "./gemm.ts";
import { adviseHugePages } from "./huge_pages.ts";
import { nativeMaxPool } from "./pool.ts";
import { nativeSgdUpdate } from "./sgd_update.ts";
import { nativeSquaredErrorGrad } from "./squared_error_grad.ts";
import { nativeUnary } from "./unary.ts";

export { BLAS_ENV } from "./blas.ts";

/** Options of {@linkcode loadNativeKernels}. */
export interface NativeKernelOptions {
  /**
   * 1 keeps every product on the calling thread. By default the panels of a
   * large product run on the engine's thread pool, of `threadCount()`
   * threads (threads/, set by `setThreads`), as the WebAssembly kernels'
   * tasks do. The bits are the same either way.
   */
  threads?: 1;
  /** Library file to open (default: `$INKLING_BLAS`, else OpenBLAS in the usual places). */
  library?: string;
}

/** What {@linkcode loadNativeKernels} found: the kernels, or why there are none. */
export type NativeLoad =
  | { kernels: Kernels; library: string; reason?: undefined }
  | { kernels: null; library?: undefined; reason: string };

/**
 * Builds the native kernel set on top of `fallback`. Never throws for a
 * missing library or permission: the result then holds the reason (no Deno
 * FFI, FFI not permitted, or the paths tried and how to install OpenBLAS).
 */
export function loadNativeKernels(
  fallback: Kernels,
  options: NativeKernelOptions = {},
): NativeLoad {
  const threads = options.threads ?? null;
  if (threads !== null && threads !== 1) {
    throw new InklingError(
      `loadNativeKernels: threads must be 1 or left out (the engine's pool, see setThreads), ` +
        `got ${threads}`,
    );
  }
  const probe = openBlas({ library: options.library });
  if (probe.blas === null) return { kernels: null, reason: probe.reason };
  const kernels: Kernels = Object.freeze(
    {
      name: "native",
      // Storage in the shared memory: its WebAssembly kernels skip their copies, BLAS reads it as is.
      residentStorage: fallback.residentStorage,
      releaseResident: fallback.releaseResident,
      ...nativeUnary(probe.blas, { fallback, threads }),
      binary: (op, args) => fallback.binary(op, args),
      binaryStrided: (op, args) => fallback.binaryStrided(op, args),
      activationGrad: (op, args) => fallback.activationGrad(op, args),
      squaredErrorGrad: probe.blas.level1 === null
        ? (diff, args) => fallback.squaredErrorGrad(diff, args)
        : nativeSquaredErrorGrad(probe.blas.level1, fallback),
      squaredDiffColumns: (a, b, args) => fallback.squaredDiffColumns(a, b, args),
      axpby: (args) => fallback.axpby(args),
      sgdUpdate: probe.blas.level1 === null
        ? (param, args) => fallback.sgdUpdate(param, args)
        : nativeSgdUpdate({ ...probe.blas, level1: probe.blas.level1 }, { fallback, threads }),
      adamUpdate: (param, args) => fallback.adamUpdate(param, args),
      clamp: (x, args) => fallback.clamp(x, args),
      gemm: nativeGemm(probe.blas, { fallback, threads }),
      sumAxis: (x, args) => fallback.sumAxis(x, args),
      maxAxis: (x, args) => fallback.maxAxis(x, args),
      softmax: (x, args) => fallback.softmax(x, args),
      gather: (src, args) => fallback.gather(src, args),
      scatter: (src, args) => fallback.scatter(src, args),
      gatherRows: (x, args) => {
        adviseHugePages(x);
        fallback.gatherRows(x, args);
      },
      scatterAddRows: (src, args) => fallback.scatterAddRows(src, args),
      swapLeadingAxes: (x, args) => fallback.swapLeadingAxes(x, args),
      // On the calling thread: split over the pool they gained nothing here (see onOneThread).
      ...nativeConv(probe.blas, threads),
      im2col: (x, args) => onOneThread(() => fallback.im2col(x, args)),
      col2im: (cols, args) => onOneThread(() => fallback.col2im(cols, args)),
      ...nativeMaxPool(probe.blas, { fallback, threads }),
      avgPool2d: (x, args) => fallback.avgPool2d(x, args),
      avgPool2dBackward: (grad, args) => fallback.avgPool2dBackward(grad, args),
    } satisfies Kernels,
  );
  return { kernels, library: probe.blas.path };
}
