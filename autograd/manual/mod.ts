/**
 * Manual gradients: the assignment's layer-by-layer backpropagation, written
 * out by hand on the engine's tensors, to compare with automatic gradients. It
 * imports the engine's tensors, ops and tape.
 *
 * @module
 */

export * from "./dense.ts";
