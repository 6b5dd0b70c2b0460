/**
 * The character classifier of OCR: loading a checkpoint with
 * {@linkcode loadOcrModel} (the committed default without a path; the network
 * is rebuilt from the checkpoint's description by `models/`),
 * {@linkcode classify} for class probabilities of a batch of crops, word
 * context for the letter/digit look-alikes ({@linkcode chooseCharacters}), and
 * the labelled overlay of a reading ({@linkcode drawReadOverlay},
 * {@linkcode overlayPng}). The committed model is trained by `deno task train
 * --preset ocr-default`. It imports the engine, layers, formats, `models/` and
 * image-js; no training code.
 *
 * @example
 * ```ts
 * import {
 *   classify,
 *   cropLetters,
 *   findLetters,
 *   loadOcrModel,
 *   readImage,
 *   topClasses,
 * } from "@inkling/inkling/ocr";
 * const page = findLetters(await readImage("note.jpg"));
 * const model = await loadOcrModel();
 * const probs = classify(model, cropLetters(page, page.boxes, model.crop));
 * console.log(topClasses(probs, 0, { classes: model.classes }));
 * ```
 *
 * @module
 */

export { DEFAULT_MODEL_URL, loadOcrModel, type OcrModel } from "./load.ts";
export { type ClassGuess, classify, foldCase, topClasses } from "./classify.ts";
export { chooseCharacters, type ChooseCharactersOptions } from "./context.ts";
export { drawReadOverlay, overlayPng, resultLayout } from "./read_overlay.ts";
export { FONT_GRID, glyphStrokes } from "./stroke_font.ts";

// Moved in 0.2 (see CHANGELOG.md): the architectures to `@inkling/inkling/models`, the
// jitter to `@inkling/inkling/datasets`. Re-exported under their 0.1 names so that
// imports from `@inkling/inkling/ocr` keep working.
export {
  type ClassifierArchitecture as OcrArchitecture,
  classNames,
  type CnnArchitecture,
  createClassifier as createOcrNetwork,
  GlyphImages,
  glyphSize,
  type MlpArchitecture as MlpCheckpointArchitecture,
  parseArchitecture,
} from "../../models/mod.ts";
export { jitterGlyphs, type JitterOptions } from "../../datasets/augment.ts";
