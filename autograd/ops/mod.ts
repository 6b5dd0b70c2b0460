/**
 * The differentiable ops of Inkling. Each op validates its inputs, runs kernels
 * for the forward pass and records a backward rule on the tape. They import the
 * tensor, the tape, shapes and the active kernels (`../kernels/backend.ts`); an
 * op never loops over elements itself, and `sum_axes.ts` sits below the others
 * so that the op files never import one another in a circle.
 *
 * @module
 */

export * from "./elementwise.ts";
export * from "./reduce.ts";
export { sumTo } from "./sum_axes.ts";
export * from "./layout.ts";
export * from "./matmul.ts";
export * from "./linear.ts";
export * from "./softmax.ts";
export * from "./loss.ts";
export { conv2d, type Conv2dOptions, window2d, type WindowOptions } from "./conv.ts";
export { conv2dMaxPool, type Conv2dMaxPoolOptions } from "./conv_pool.ts";
export * from "./pool.ts";
export * from "./dropout.ts";
export * from "./inplace.ts";
