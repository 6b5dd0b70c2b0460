/**
 * The kernels: the one interface every op calls for its loops
 * ({@linkcode Kernels} in `kernels.ts`: element-wise math, gemm, sums, softmax,
 * gathers, im2col, pooling), its backends — `reference/` (plain TypeScript,
 * float32 and float64) and `wasm/` (WebAssembly SIMD for float32, falling back
 * to the reference) — and the choice between them (`backend.ts`). Kernels work
 * on flat typed arrays and know nothing of tensors or the tape; this folder
 * imports only the engine's error types.
 *
 * @module
 */

export type * from "./kernels.ts";
export { type BackendName, backendName, kernels, setBackend, useKernels } from "./backend.ts";
export { referenceKernels } from "./reference/mod.ts";
export { loadWasmKernels, type SimdVariant, type WasmKernelOptions } from "./wasm/mod.ts";
