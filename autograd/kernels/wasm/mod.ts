/**
 * The WebAssembly SIMD backend: float32 hot paths (gemm, im2col/col2im, max
 * pooling, layout moves, the optimizers' updates, element-wise math, sums
 * and softmax over large arrays) run in a small
 * hand-written WebAssembly module; everything else — Float64Array storage,
 * kernels without a WebAssembly version, and sizes where copying the data into
 * WebAssembly memory costs more than it saves — goes to a fallback
 * {@linkcode Kernels} (normally the reference backend). It imports only the
 * kernel interface (with `../sgd_update.ts`, which builds a kernel from
 * axpby, and `../adam_update.ts`, Adam's scalars), the thread pool and its
 * own generated module.
 *
 * Large matrix products, im2col and col2im run on several threads
 * (`../threads/`, `setThreads`): the scratch then moves onto a shared memory
 * (`shared_memory.ts`), and the call is cut into tasks whose results do not
 * depend on the thread count. A convolution's chunks run side by side in
 * two lanes (`conv_lanes.ts`).
 *
 * The module source is the `.wat` files of this folder; `tools/build_wasm.ts` compiles
 * them into the generated `kernels_wasm.ts`.
 *
 * @module
 */

import type { Kernels } from "../kernels.ts";
import { wasmAdamUpdate } from "./adam_update.ts";
import { wasmCol2im, wasmIm2col } from "./conv.ts";
import { wasmConvLanes } from "./conv_lanes.ts";
import { wasmAxpby, wasmBinary, wasmUnary } from "./elementwise.ts";
import { wasmActivationGrad, wasmAddBias, wasmSquaredErrorGrad } from "./fused.ts";
import { wasmGemm } from "./gemm.ts";
import { instantiateKernels, type SimdVariant } from "./instance.ts";
import { wasmSwapLeadingAxes } from "./layout.ts";
import { wasmMaxPool2d } from "./pool.ts";
import { wasmSoftmax, wasmSquaredDiffColumns, wasmSumAxis } from "./reduce.ts";
import { releaseResident, residentStorage } from "./resident.ts";
import { WasmScratch } from "./scratch.ts";
import { sgdUpdateFromAxpby } from "../sgd_update.ts";

export type { SimdVariant } from "./instance.ts";

/** Options of {@linkcode loadWasmKernels}; the defaults are right outside tests. */
export interface WasmKernelOptions {
  /** Force one build (tests use it to run the plain-SIMD build where relaxed SIMD exists). */
  simd?: SimdVariant;
  /**
   * Send every float32 call to WebAssembly, however small (tests use it to
   * reach edge cases that the measured size thresholds would hand to the
   * fallback).
   */
  ignoreThresholds?: boolean;
}

/**
 * Builds the wasm kernel set on top of `fallback`. Returns null when the
 * engine lacks WebAssembly SIMD (or the build `options.simd` asks for).
 */
export function loadWasmKernels(
  fallback: Kernels,
  options: WasmKernelOptions = {},
): Kernels | null {
  const instance = instantiateKernels(options.simd);
  if (instance === null) return null;
  const scratch = new WasmScratch(instance, {
    ignoreThresholds: options.ignoreThresholds === true,
  });
  const axpby = wasmAxpby(scratch, fallback);
  const unary = wasmUnary(scratch, fallback);
  return Object.freeze(
    {
      name: "wasm",
      residentStorage,
      releaseResident,
      unary,
      binary: wasmBinary(scratch, fallback),
      binaryStrided: (op, args) => fallback.binaryStrided(op, args),
      addBias: wasmAddBias(scratch, fallback, unary),
      activationGrad: wasmActivationGrad(scratch, fallback),
      squaredErrorGrad: wasmSquaredErrorGrad(scratch, fallback),
      squaredDiffColumns: wasmSquaredDiffColumns(scratch, fallback),
      axpby,
      // Two streamed axpby calls: a fused pass would save only one of their six copies.
      sgdUpdate: sgdUpdateFromAxpby(axpby),
      adamUpdate: wasmAdamUpdate(scratch, fallback),
      clamp: (x, args) => fallback.clamp(x, args),
      gemm: wasmGemm(scratch, fallback),
      sumAxis: wasmSumAxis(scratch, fallback),
      maxAxis: (x, args) => fallback.maxAxis(x, args),
      softmax: wasmSoftmax(scratch, fallback),
      gather: (src, args) => fallback.gather(src, args),
      scatter: (src, args) => fallback.scatter(src, args),
      gatherRows: (x, args) => fallback.gatherRows(x, args),
      scatterAddRows: (src, args) => fallback.scatterAddRows(src, args),
      swapLeadingAxes: wasmSwapLeadingAxes(scratch, fallback),
      ...wasmConvLanes(scratch),
      im2col: wasmIm2col(scratch, fallback),
      col2im: wasmCol2im(scratch, fallback),
      maxPool2d: wasmMaxPool2d(scratch, fallback),
      maxPool2dBackward: (grad, args) => fallback.maxPool2dBackward(grad, args),
      avgPool2d: (x, args) => fallback.avgPool2d(x, args),
      avgPool2dBackward: (grad, args) => fallback.avgPool2dBackward(grad, args),
    } satisfies Kernels,
  );
}
