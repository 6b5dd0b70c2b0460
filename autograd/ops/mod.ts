/**
 * The differentiable ops of Inkling. Each op validates its inputs, runs
 * kernels for the forward pass and records a backward rule on the tape.
 *
 * @module
 */

export * from "./elementwise.ts";
export * from "./reduce.ts";
export * from "./layout.ts";
export * from "./matmul.ts";
export * from "./softmax.ts";
export * from "./loss.ts";
export * from "./conv.ts";
export * from "./pool.ts";
export * from "./dropout.ts";
export * from "./inplace.ts";
