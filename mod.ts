/**
 * Inkling: a Deno-native deep-learning library with a readable tape-based
 * autograd engine, built for learning how neural networks work and for reading
 * handwriting. This entry point holds the engine, the layers and the
 * safetensors codec of checkpoints; file formats, data sets, figures, models,
 * training, OCR and compression live at `@inkling/inkling/formats`,
 * `/datasets`, `/viz`, `/models`, `/train`, `/ocr` and `/compression`, so that
 * importing the core pulls in no image or plotting dependencies.
 *
 * @example
 * ```ts
 * import { crossEntropy, gradcheck, Linear, Rng, SGD, tensor } from "@inkling/inkling";
 * const rng = new Rng(0);
 * const layer = new Linear(3, 2, { rng, dtype: "float64" });
 * const x = tensor([[0.5, -1, 2], [1, 0, -0.5]], { dtype: "float64" });
 * const loss = crossEntropy(layer.forward(x), [0, 1]);
 * loss.backward();
 * new SGD(layer.parameters(), { lr: 0.1 }).step();
 * const check = gradcheck(() => crossEntropy(layer.forward(x), [0, 1]), layer.parameters());
 * console.log(check.ok, check.maxRelError);
 * ```
 *
 * @module
 */

export * from "./autograd/mod.ts";
export * from "./layers/mod.ts";
// Checkpoints are safetensors files; the codec lives in formats/ (also at
// `@inkling/inkling/formats`) and stays exported here as it was in 0.1.
export * from "./formats/safetensors/mod.ts";
