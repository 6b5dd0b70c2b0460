/**
 * Learning a user's handwriting (`deno task ocr:learn`): pages they wrote,
 * each with its true text, are read with the OCR pipeline
 * ({@linkcode readPageCrops}), their characters paired with the text
 * ({@linkcode matchBoxes}), and the classifier fine-tuned on those crops
 * with augmentation, a pull toward its original weights and a replay of
 * generic glyphs ({@linkcode adaptNetwork}, {@linkcode loadReplayGlyphs});
 * {@linkcode learnHandwriting} does it all and
 * {@linkcode saveLearnedModel} writes a checkpoint OCR reads like any other.
 *
 * @example
 * ```ts
 * import { readText } from "@inkling/inkling/ocr";
 * import { learnHandwriting, saveLearnedModel } from "@inkling/inkling/ocr/learn";
 * const truth = await Deno.readTextFile("my_page.txt");
 * const learned = await learnHandwriting([{ image: "my_page.jpg", truth }]);
 * await saveLearnedModel("my_model.safetensors", learned);
 * console.log((await readText("another_page.jpg", { model: learned.model })).text);
 * ```
 *
 * It is its own export, `@inkling/inkling/ocr/learn`, because replay reads
 * the training set from disk (`datasets`), which a browser page cannot.
 *
 * @module
 */

export * from "./page_crops.ts";
export * from "./match_boxes.ts";
export * from "./adapt.ts";
export * from "./replay.ts";
export * from "./learn.ts";
