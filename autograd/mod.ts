/**
 * The engine: tensors (float32/float64), a tape that records ops and replays
 * them backwards, `tidy` scopes whose op results return to a storage pool
 * for the next step, differentiable ops, custom ops with hand-written gradients,
 * the manual layer-by-layer path, a gradient checker, a seeded RNG, and the
 * swappable kernel backends (reference TypeScript, WebAssembly SIMD). It
 * imports nothing outside `autograd/` (no packages, no `Deno` or `node:` APIs),
 * so it runs unchanged in a browser; everything else in Inkling builds on it.
 *
 * @module
 */

export * from "./errors.ts";
export {
  allocate,
  allocateOwned,
  type BackwardOptions,
  checkSameDType,
  type DType,
  dtypeOf,
  Tensor,
  type TensorNode,
  type TensorOptions,
} from "./tensor.ts";
export { keep, tidy } from "./tidy.ts";
export * from "./creation.ts";
export * from "./shape.ts";
export {
  type BackwardPass,
  type BackwardRule,
  isGradEnabled,
  noGrad,
  type TapeNode,
} from "./tape.ts";
export * from "./ops/mod.ts";
export * from "./function.ts";
export * from "./gradcheck.ts";
export * from "./manual/mod.ts";
export * from "./rng.ts";
export { autoBackend, type BackendName, backendName, setBackend } from "./kernels/backend.ts";
export type { NativeKernelOptions } from "./kernels/native/mod.ts";
export { setThreads, shutdownThreads, threadCount } from "./kernels/threads/mod.ts";
export type { AxisLayout, Storage, StridedView, Window2d } from "./kernels/kernels.ts";
