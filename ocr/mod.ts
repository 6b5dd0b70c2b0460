/**
 * Reading handwritten block letters from photos, the application behind `deno
 * task ocr` and `deno task ocr:eval`: reading a photo safely
 * ({@linkcode readImage}), finding its characters on any lighting and in any
 * ink colour ({@linkcode findLetters}), putting them in reading order as lines
 * of words ({@linkcode groupLines}), cutting classifier-ready 32 × 32 crops
 * that look like the training glyphs ({@linkcode cropLetters}), classifying
 * them with a checkpoint (`model/`), the whole page at once
 * ({@linkcode readText}), overlays for checking by eye, and scoring against
 * transcriptions ({@linkcode evaluateOcr}). It imports the library (engine,
 * layers, formats, data sets, models, figures, the command-line helper) and
 * image-js; no training code and no other application.
 *
 * @example
 * ```ts
 * import { readText } from "@inkling/inkling/ocr";
 * const result = await readText("note.jpg"); // or an image-js Image
 * console.log(result.text); // one line per text line, words separated by spaces
 * ```
 *
 * @module
 */

export type { Box } from "./box.ts";
export {
  decodeImage,
  decodePhoto,
  type GreyPage,
  type Image,
  type ImageInputOptions,
  type ImageSource,
  PAGE_SIDE,
  pageFactor,
  type Photo,
  readImage,
  readPhoto,
  type RgbaPixels,
} from "./image_input.ts";
export { type ImageHeader, readImageHeader } from "../formats/image_header.ts";
export { findLetters, type FindLettersOptions, type FoundLetters } from "./find_letters.ts";
export type { NormaliseBackgroundOptions } from "./background.ts";
export type { GroupInkOptions } from "./ink_groups.ts";
export {
  groupLines,
  type GroupLinesOptions,
  linesToText,
  splitWords,
  type SplitWordsOptions,
  type TextLine,
} from "./lines.ts";
export { type BinaryPage, CROP_SIZE, cropLetters, type CropLettersOptions } from "./crops.ts";
export { type BinaryImage, pruneSpurs, strokeWidth, thin } from "./skeleton.ts";
export { drawOverlay, type DrawOverlayOptions } from "./overlay.ts";
export * from "./read_text.ts";
export * from "./eval.ts";
export * from "./model/mod.ts";
export * from "./output/mod.ts";
