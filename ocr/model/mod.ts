/**
 * The character classifier of OCR: the network architectures a checkpoint
 * can describe (a small CNN, or the assignment's MLP), loading one with
 * {@linkcode loadOcrModel} (the committed default without a path),
 * {@linkcode classify} for class probabilities of a batch of crops, word
 * context for the letter/digit look-alikes ({@linkcode chooseCharacters}),
 * the affine jitter the default model was trained with, and the labelled
 * overlay of a reading ({@linkcode drawReadOverlay}). The script
 * `train_default.ts` (not re-exported: it pulls in the data builders) trains
 * the committed model.
 *
 * @example
 * ```ts
 * import { classify, loadOcrModel, topClasses } from "./mod.ts";
 * import { cropLetters, findLetters, readImage } from "../mod.ts";
 * const page = findLetters(await readImage("note.jpg"));
 * const model = await loadOcrModel();
 * const probs = classify(model, cropLetters(page, page.boxes));
 * console.log(topClasses(probs, 0, { classes: model.classes }));
 * ```
 *
 * @module
 */

export {
  classNames,
  type CnnArchitecture,
  createOcrNetwork,
  GlyphImages,
  glyphSize,
  type MlpCheckpointArchitecture,
  type OcrArchitecture,
  parseArchitecture,
} from "./architecture.ts";
export { DEFAULT_MODEL_PATH, loadOcrModel, type OcrModel } from "./load.ts";
export { type ClassGuess, classify, topClasses } from "./classify.ts";
export { chooseCharacters, type ChooseCharactersOptions } from "./context.ts";
export { jitterGlyphs, type JitterOptions } from "./jitter.ts";
export { drawReadOverlay, resultLayout } from "./read_overlay.ts";
export { FONT_GRID, glyphStrokes } from "./stroke_font.ts";
