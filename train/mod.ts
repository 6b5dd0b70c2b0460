/**
 * Training character classifiers, the application behind `deno task train`: the
 * settings of a run and its named presets ({@linkcode PRESETS}: the
 * assignment's NIST36 MLP, the CNNs of MNIST, NIST36 and the 47 EMNIST
 * Balanced classes, and the recipe of the committed OCR model), the one
 * trainer ({@linkcode trainClassifier}), the class-prior correction of runs on
 * unequal classes ({@linkcode foldOutClassPrior}) and the run directory it writes
 * ({@linkcode writeRunDirectory}: checkpoint, history, figures, report).
 * Imports: the library (engine, layers, formats, data sets, models, figures).
 * Inference never imports this folder: the OCR reads checkpoints through
 * `models/`.
 *
 * @example
 * ```ts
 * import { PRESETS, trainClassifier, writeRunDirectory } from "@inkling/inkling/train";
 * import { loadGlyphData } from "@inkling/inkling/datasets";
 * const data = await loadGlyphData("mnist");
 * const result = await trainClassifier(data, {
 *   settings: { ...PRESETS["mnist-cnn"].settings, epochs: 1 },
 * });
 * console.log(result.testAccuracy);
 * await writeRunDirectory("runs/quick", { result, dataNote: data.note });
 * ```
 *
 * @module
 */

export * from "./settings.ts";
export * from "./train_classifier.ts";
export * from "./class_prior.ts";
export * from "./report.ts";
