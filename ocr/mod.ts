/**
 * The image side of OCR: reading a photo safely ({@linkcode readImage}),
 * finding its handwritten characters on any lighting and in any ink colour
 * ({@linkcode findLetters}), putting them in reading order as lines of words
 * ({@linkcode groupLines}), and cutting classifier-ready 32 × 32 crops that
 * look like the training glyphs, stroke width included ({@linkcode cropLetters}).
 * {@linkcode drawOverlay} pictures the result for checking by eye.
 *
 * @example
 * ```ts
 * import { cropLetters, findLetters, groupLines, readImage } from "./mod.ts";
 * const page = findLetters(await readImage("note.jpg"));
 * const lines = groupLines(page.boxes);
 * const order = lines.flatMap((line) => line.words.flat());
 * const crops = cropLetters(page, order.map((i) => page.boxes[i])); // [N, 1024], NIST36 layout
 * ```
 *
 * @module
 */

export type { Box } from "./box.ts";
export {
  decodeImage,
  type ImageHeader,
  type ImageInputOptions,
  readImage,
  readImageHeader,
} from "./image_input.ts";
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
