/**
 * Layers and training: the {@linkcode Module} base with named parameters and
 * state dicts, Linear, Conv2d, pooling, activations, Dropout, Sequential,
 * initialisers and optimizers, built only on the engine's public ops.
 *
 * @module
 */

export * from "./module.ts";
export * from "./init.ts";
export * from "./linear.ts";
export * from "./conv2d.ts";
export * from "./activations.ts";
export * from "./sequential.ts";
export * from "./optim/mod.ts";
export * from "./batches.ts";
export * from "./metrics.ts";
export * from "./fit.ts";
export type { ProgressMode } from "./progress.ts";
export * from "./checkpoint.ts";
export * from "./safetensors/mod.ts";
export * from "./best_weights.ts";
