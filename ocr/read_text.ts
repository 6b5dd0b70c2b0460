/**
 * Reading the text of a photo: find the characters, group them into lines of
 * words, crop each character like a training glyph, classify all crops in one
 * batch, and (by default) let each word's context settle the letter/digit
 * look-alikes (see {@linkcode chooseCharacters}).
 *
 * @example
 * ```ts
 * import { readText } from "./read_text.ts";
 * const { text, lines } = await readText("note.jpg");
 * console.log(text);
 * console.log(lines[0].words[0].chars[0].top3); // [{ char: "T", p: 0.97 }, …]
 * ```
 *
 * @module
 */

import type { Image } from "image-js";
import { InklingError } from "../autograd/errors.ts";
import type { Box } from "./box.ts";
import { cropLetters } from "./crops.ts";
import { findLetters, type FoundLetters } from "./find_letters.ts";
import { readImage } from "./image_input.ts";
import { groupLines } from "./lines.ts";
import { type ClassGuess, classify, foldCase, topClasses } from "./model/classify.ts";
import { chooseCharacters } from "./model/context.ts";
import { loadOcrModel, type OcrModel } from "./model/load.ts";

/** One recognised character. */
export interface ReadChar {
  /** The character read. */
  char: string;
  /** Its box in the photo, `[y1, x1, y2, x2]` full-resolution pixels. */
  box: Box;
  /** The classifier's three most likely classes with their probabilities (before context). */
  top3: ClassGuess[];
}

/** One recognised word. */
export interface ReadWord {
  /** The word's characters joined. */
  text: string;
  /** Its characters, left to right. */
  chars: ReadChar[];
}

/** One recognised line. */
export interface ReadLine {
  /** Its words, left to right. */
  words: ReadWord[];
}

/** What {@linkcode readText} returns. */
export interface ReadResult {
  /** Lines top to bottom. */
  lines: ReadLine[];
  /** The text: words joined by one space, lines by a newline ("" for a blank page). */
  text: string;
}

/** Options of {@linkcode readText}. */
export interface ReadTextOptions {
  /** A loaded model, or the path of a checkpoint (default: the committed model). */
  model?: OcrModel | string;
  /** Let word context settle 0/O, 1/I, 5/S, 2/Z, 8/B (default true). */
  context?: boolean;
  /**
   * Most characters read from one page (default 1500); a page with more is
   * refused with an {@linkcode InklingError} before any is classified.
   */
  maxCharacters?: number;
  /** The file name or other label errors name (default: the path, when one is given). */
  name?: string;
}

/**
 * Default of {@linkcode ReadTextOptions.maxCharacters}: a page densely written
 * in block capitals holds about a thousand, the sample photos 36–115. At a
 * few milliseconds per character (cropping and classifying), the budget keeps
 * any page to seconds: 1444 character-sized squares took 4 s in all.
 */
const MAX_CHARACTERS = 1500;

let defaultModel: Promise<OcrModel> | undefined;

/** The model of `option`, loading (and for the default, caching) it as needed. */
export function resolveModel(option: OcrModel | string | undefined): Promise<OcrModel> {
  if (typeof option === "string") return loadOcrModel(option);
  if (option !== undefined) return Promise.resolve(option);
  defaultModel ??= loadOcrModel().catch((error) => {
    defaultModel = undefined;
    throw error;
  });
  return defaultModel;
}

/**
 * Reads the handwritten text of a photo (an image-js image or a PNG/JPEG
 * path). Marks too small to be characters are ignored, so a page of specks
 * reads as blank; a page with more marks than handwriting has (see
 * {@linkcode ReadTextOptions.maxCharacters}) is an {@linkcode InklingError}
 * naming it.
 */
export async function readText(
  imageOrPath: Image | string,
  options: ReadTextOptions = {},
): Promise<ReadResult> {
  const [image, model] = await Promise.all([
    typeof imageOrPath === "string" ? readImage(imageOrPath) : imageOrPath,
    resolveModel(options.model),
  ]);
  const name = options.name ?? (typeof imageOrPath === "string" ? imageOrPath : undefined);
  const label = (message: string) => name === undefined ? message : `${name}: ${message}`;
  let page: FoundLetters;
  try {
    page = findLetters(image);
  } catch (error) {
    if (!(error instanceof InklingError)) throw error;
    throw new InklingError(label(error.message));
  }
  const maxCharacters = options.maxCharacters ?? MAX_CHARACTERS;
  if (page.boxes.length > maxCharacters) {
    throw new InklingError(
      label(
        `found ${page.boxes.length} character-like marks, more than the ${maxCharacters} ` +
          "a page of handwriting holds; not reading them (a pattern, texture or print?)",
      ),
    );
  }
  const lines = groupLines(page.boxes);
  const order = lines.flatMap((line) => line.words.flat());
  if (order.length === 0) return { lines: [], text: "" };
  const crops = cropLetters(page, order.map((i) => page.boxes[i]), model.crop);
  const { probs, classes } = foldCase(classify(model, crops), model.classes);
  const count = probs.shape[1];
  const rowOf = new Map(order.map((box, row) => [box, row]));
  const read: ReadLine[] = lines.map((line) => ({
    words: line.words.map((word) => {
      const rows = word.map((i) =>
        probs.data.subarray(rowOf.get(i)! * count, (rowOf.get(i)! + 1) * count)
      );
      const chosen = chooseCharacters(rows, { classes, context: options.context });
      const chars = word.map((i, k) => ({
        char: chosen[k],
        box: page.boxes[i],
        top3: topClasses(probs, rowOf.get(i)!, { classes }),
      }));
      return { text: chosen.join(""), chars };
    }),
  }));
  return { lines: read, text: resultText(read) };
}

/** Words joined by one space, lines by a newline. */
function resultText(lines: readonly ReadLine[]): string {
  return lines.map((line) => line.words.map((word) => word.text).join(" ")).join("\n");
}
