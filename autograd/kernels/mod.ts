/**
 * The kernels: the one interface every op calls for its loops
 * ({@linkcode Kernels} in `kernels.ts`: element-wise math, gemm, sums, softmax,
 * gathers, im2col, pooling), its backends — `reference/` (plain TypeScript,
 * float32 and float64), `wasm/` (WebAssembly SIMD for float32, falling back
 * to the reference) and `native/` (matrix products on a system BLAS through
 * Deno's FFI, falling back to wasm) — the choice between them
 * (`backend.ts`), and `threads/`: a worker pool on shared wasm memory that
 * splits large matrix products into fixed tiles, so results are the same
 * bits on any number of threads. Kernels work on flat typed arrays and know nothing of
 * tensors or the tape; this folder imports only the engine's error types.
 *
 * @module
 */

export type * from "./kernels.ts";
export {
  autoBackend,
  type BackendName,
  backendName,
  kernels,
  setBackend,
  useKernels,
} from "./backend.ts";
export { referenceKernels } from "./reference/mod.ts";
export { loadWasmKernels, type SimdVariant, type WasmKernelOptions } from "./wasm/mod.ts";
export { setThreads, shutdownThreads, threadCount } from "./threads/mod.ts";
export {
  BLAS_ENV,
  loadNativeKernels,
  type NativeKernelOptions,
  type NativeLoad,
} from "./native/mod.ts";
