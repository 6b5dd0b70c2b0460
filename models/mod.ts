/**
 * Network architectures built from the layers: the assignment's MLP with its
 * hand-written backward pass ({@linkcode createMlp},
 * {@linkcode manualGradients}), the small glyph CNN of the default OCR model
 * ({@linkcode createCnn}), and the checkpoint description of either
 * ({@linkcode parseArchitecture}, {@linkcode createClassifier}) that trainers
 * write and loaders read, and what such a description costs before anything
 * is built ({@linkcode classifierTensorShapes}, {@linkcode forwardFloatsPerGlyph}),
 * which {@linkcode classifierFromCheckpoint} checks a checkpoint's tensors
 * against before it builds the network. Inference and training
 * both start here, so nothing in this folder trains or reads files. Imports:
 * the engine, `layers/`, and the NIST36 class names of `datasets/`.
 *
 * @example
 * ```ts
 * import { createClassifier, parseArchitecture } from "@inkling/inkling/models";
 * import { Rng } from "@inkling/inkling";
 * const architecture = parseArchitecture(
 *   { kind: "mlp", inputs: 1024, hidden: 64, classes: 36 },
 *   "example",
 * );
 * const network = createClassifier(architecture, { rng: new Rng(0) });
 * console.log(network.parameterCount()); // 67940
 * ```
 *
 * @module
 */

export * from "./mlp.ts";
export * from "./glyph_cnn.ts";
export * from "./classifier.ts";
export * from "./architecture_shapes.ts";
export * from "./from_checkpoint.ts";
