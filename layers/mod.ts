/**
 * Layers and training: the {@linkcode Module} base with named parameters and
 * state dicts, Linear, Conv2d, pooling, BatchNorm, activations, Dropout, Sequential,
 * initialisers, optimizers, the training loop {@linkcode fit} with its history
 * and progress, and checkpoints (module state, optimizer, RNG and history in
 * one safetensors file). Imports: the engine (`autograd/`, through its public
 * ops only) and the file formats (`formats/`). Never data sets, figures or
 * applications.
 *
 * @module
 */

export * from "./module.ts";
export * from "./init.ts";
export * from "./linear.ts";
export * from "./conv2d.ts";
export * from "./batch_norm.ts";
export * from "./activations.ts";
export * from "./sequential.ts";
export * from "./optim/mod.ts";
export * from "./batches.ts";
export * from "./metrics.ts";
export * from "./history.ts";
export * from "./fit.ts";
export type { ProgressMode } from "./progress.ts";
export * from "./checkpoint.ts";
export * from "./best_weights.ts";
