/**
 * Reading the text of a photo: find the characters on a grey page shrunk to
 * what reading needs (see below), group them into lines of words, crop each
 * character like a training glyph, classify all crops in one batch, and (by
 * default) let each word's context settle the letter/digit look-alikes (see
 * {@linkcode chooseCharacters}). Boxes are scaled back to the photo's pixels.
 *
 * Crops are thinned at 64 pixels or less, so a character needs few more
 * pixels than that. The photo is first shrunk as far as keeps its longer
 * side at least `pageSide` pixels (a 12-megapixel JPEG is decoded straight
 * at 1/4 size); when the characters found there are under `charHeight`
 * pixels tall (median), it is read again less shrunk, so small writing on a
 * large photo keeps its detail.
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

import { InklingError } from "../autograd/errors.ts";
import { Tensor } from "../autograd/tensor.ts";
import type { Box } from "./box.ts";
import { cropLetters } from "./crops.ts";
import { findLetters, type FoundLetters } from "./find_letters.ts";
import {
  type GreyPage,
  type ImageSource,
  PAGE_SIDE,
  pageFactor,
  type Photo,
  readPhoto,
} from "./image_input.ts";
import { groupLines } from "./lines.ts";
import { type ClassGuess, classify, foldCase, topClasses } from "./model/classify.ts";
import { chooseCharacters } from "./model/context.ts";
import { loadOcrModel, type OcrModel } from "./model/load.ts";
import { type ByteSource, sourceName } from "../formats/byte_source.ts";

/** One recognised character. */
export interface ReadChar {
  /** The character read. */
  char: string;
  /** Its box in the photo, `[y1, x1, y2, x2]` in the photo's own (upright) pixels. */
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
  /**
   * A loaded model, or where a checkpoint is: a path, URL, bytes or Blob
   * (default: the committed model, loaded once and kept).
   */
  model?: OcrModel | ByteSource;
  /** Let word context settle 0/O, 1/I, 5/S, 2/Z, 8/B (default true). */
  context?: boolean;
  /**
   * Most characters read from one page (default 1500); a page with more is
   * refused with an {@linkcode InklingError} before any is classified.
   */
  maxCharacters?: number;
  /** The file name or other label errors name (default: the path, when one is given). */
  name?: string;
  /**
   * Longer side, in pixels, the photo is first shrunk toward, never below
   * (default {@linkcode PAGE_SIDE}; `Infinity` reads it at full size).
   */
  pageSide?: number;
  /**
   * Median character height, in page pixels, below which the photo is read
   * again less shrunk (default {@linkcode CHAR_HEIGHT}; 0 never does).
   */
  charHeight?: number;
}

/**
 * Default of {@linkcode ReadTextOptions.charHeight}. On the sample photos one
 * character of 115 is misread when their median height is 31 pixels (`01_list`
 * at 1/2 size); 48 leaves half as much again, and a 12-megapixel photo of
 * 250-pixel capitals (`04_deep`) still reads at 1/4 size.
 */
export const CHAR_HEIGHT = 48;

/**
 * Default of {@linkcode ReadTextOptions.maxCharacters}: a page densely written
 * in block capitals holds about a thousand, the sample photos 36–115. At a
 * few milliseconds per character (cropping and classifying), the budget keeps
 * any page to seconds: 1444 character-sized squares took 4 s in all.
 */
const MAX_CHARACTERS = 1500;

let defaultModel: Promise<OcrModel> | undefined;

/** The model of `option`, loading (and for the default, caching) it as needed. */
export function resolveModel(option: OcrModel | ByteSource | undefined): Promise<OcrModel> {
  if (isOcrModel(option)) return Promise.resolve(option);
  if (option !== undefined) return loadOcrModel(option);
  defaultModel ??= loadOcrModel().catch((error) => {
    defaultModel = undefined;
    throw error;
  });
  return defaultModel;
}

function isOcrModel(option: OcrModel | ByteSource | undefined): option is OcrModel {
  return typeof option === "object" && "network" in option;
}

/** The label errors give a source that has one: its path, URL or file name. */
function namedSource(source: ImageSource): string | undefined {
  if (typeof source === "string" || source instanceof URL || source instanceof Blob) {
    return sourceName(source, "image");
  }
  return undefined;
}

/**
 * Reads the handwritten text of a photo: a PNG or JPEG path, URL, bytes or
 * Blob, a decoded image or a `Photo` (see {@linkcode ImageSource}). Marks
 * too small to be characters are ignored, so a page of specks reads as
 * blank; a page with more marks than handwriting has (see
 * {@linkcode ReadTextOptions.maxCharacters}) is an {@linkcode InklingError}
 * naming it.
 */
export async function readText(
  source: ImageSource,
  options: ReadTextOptions = {},
): Promise<ReadResult> {
  const [photo, model] = await Promise.all([readPhoto(source), resolveModel(options.model)]);
  const name = options.name ?? namedSource(source);
  const { image, boxes, lines, probs, classes } = classifyPage(photo, model, { ...options, name });
  const inPhoto = photoBox(image);
  const read: ReadLine[] = lines.map((words) => ({
    words: words.map((rows) => {
      const chosen = chooseCharacters(rows.map((row) => probRow(probs, row)), {
        classes,
        context: options.context,
      });
      const chars = rows.map((row, k) => ({
        char: chosen[k],
        box: inPhoto(boxes[row]),
        top3: topClasses(probs, row, { classes }),
      }));
      return { text: chosen.join(""), chars };
    }),
  }));
  return { lines: read, text: resultText(read) };
}

/** Options of {@linkcode classifyPage}. */
export type ClassifyPageOptions = Pick<
  ReadTextOptions,
  "pageSide" | "charHeight" | "name" | "maxCharacters"
>;

/** A page read up to the classifier: what {@linkcode classifyPage} returns. */
export interface ClassifiedPage {
  /** The page the characters were found on: the photo shrunk, with the photo's size. */
  image: GreyPage;
  /** Every character's box in the page's pixels, in reading order (row order below). */
  boxes: Box[];
  /** Lines top to bottom, of words left to right, of characters: rows of `crops` and `probs`. */
  lines: number[][][];
  /** One crop per character `[characters, size²]`, cut as the model's `crop` says. */
  crops: Tensor;
  /** The model's class probabilities per character, upper and lower case summed. */
  probs: Tensor;
  /** Names of the columns of `probs`. */
  classes: string;
}

/**
 * Every step of {@linkcode readText} but the last: the characters of
 * `photo` found ({@linkcode findPhotoLetters}), grouped into lines of words,
 * cropped and classified with `model` in one batch. Word context and the
 * mapping to the photo's pixels are left to the caller; learning a writer's
 * hand (`ocr/learn`) pairs these crops with a page's true text.
 */
export function classifyPage(
  photo: Photo,
  model: OcrModel,
  options: ClassifyPageOptions = {},
): ClassifiedPage {
  const { name } = options;
  const { image, page } = findPhotoLetters(photo, options);
  const label = (message: string) => name === undefined ? message : `${name}: ${message}`;
  const maxCharacters = options.maxCharacters ?? MAX_CHARACTERS;
  if (page.boxes.length > maxCharacters) {
    throw new InklingError(
      label(
        `found ${page.boxes.length} character-like marks, more than the ${maxCharacters} ` +
          "a page of handwriting holds; not reading them (a pattern, texture or print?)",
      ),
    );
  }
  const textLines = groupLines(page.boxes);
  const order = textLines.flatMap((line) => line.words.flat());
  const rowOf = new Map(order.map((box, row) => [box, row]));
  const boxes = order.map((i) => page.boxes[i]);
  const crops = cropLetters(page, boxes, model.crop);
  const { probs, classes } = order.length === 0
    ? { probs: new Tensor(new Float32Array(0), [0, 0]), classes: "" }
    : foldCase(classify(model, crops), model.classes);
  const lines = textLines.map((line) => line.words.map((word) => word.map((i) => rowOf.get(i)!)));
  return { image, boxes, lines, crops, probs, classes };
}

/** Row `row` of `probs`: one character's class probabilities. */
function probRow(probs: Tensor, row: number): Float32Array | Float64Array {
  const count = probs.shape[1];
  return probs.data.subarray(row * count, (row + 1) * count);
}

/** Options of {@linkcode findPhotoLetters}. */
export type FindPhotoLettersOptions = Pick<ReadTextOptions, "pageSide" | "charHeight" | "name">;

/** What {@linkcode findPhotoLetters} found. */
export interface PhotoLetters {
  /** The page read: the photo shrunk, with the photo's size. */
  image: GreyPage;
  /** The characters on it, boxes in the page's pixels. */
  page: FoundLetters;
}

/**
 * The first step of {@linkcode readText}: the characters of `photo`, found
 * on a page shrunk by {@linkcode pageFactor} for `options.pageSide`, and
 * found again on a less shrunk page when they come out under
 * `options.charHeight` pixels tall (median). The finder's errors are
 * {@linkcode InklingError}s naming `options.name`.
 */
export function findPhotoLetters(
  photo: Photo,
  options: FindPhotoLettersOptions = {},
): PhotoLetters {
  const find = (factor: number) => {
    const image = photo.page(factor);
    try {
      return { image, page: findLetters(image) };
    } catch (error) {
      if (!(error instanceof InklingError) || options.name === undefined) throw error;
      throw new InklingError(`${options.name}: ${error.message}`);
    }
  };
  const found = find(pageFactor(photo, options.pageSide ?? PAGE_SIDE));
  // The page's own factor: a JPEG is shrunk by a power of two at most the one asked for.
  const factor = Math.round(found.image.photoWidth / found.image.width);
  const finer = finerFactor(found.page.boxes, {
    factor,
    charHeight: options.charHeight ?? CHAR_HEIGHT,
  });
  return finer < factor ? find(finer) : found;
}

/**
 * The factor to shrink the photo by for characters `boxes` (found on a page
 * shrunk by `factor`) to be `charHeight` pixels tall (median): `factor`
 * itself when they already are.
 */
function finerFactor(
  boxes: readonly Box[],
  { factor, charHeight }: { factor: number; charHeight: number },
): number {
  if (boxes.length === 0) return factor;
  const heights = boxes.map(([y1, , y2]) => y2 - y1).sort((a, b) => a - b);
  const median = heights[heights.length >> 1];
  return median >= charHeight ? factor : Math.max(1, Math.floor(median * factor / charHeight));
}

/**
 * Maps a box on `page` to the photo's pixels. Each page pixel stands for a
 * `photoWidth / width` wide block, so edges scale by that ratio; rounding
 * keeps them whole and inside the photo, and the mapping is the same read
 * from either end, as the mirrored and turned orientations need.
 */
function photoBox(page: GreyPage): (box: Box) => Box {
  const sx = page.photoWidth / page.width;
  const sy = page.photoHeight / page.height;
  return ([y1, x1, y2, x2]) => [
    Math.round(y1 * sy),
    Math.round(x1 * sx),
    Math.round(y2 * sy),
    Math.round(x2 * sx),
  ];
}

/** Words joined by one space, lines by a newline. */
function resultText(lines: readonly ReadLine[]): string {
  return lines.map((line) => line.words.map((word) => word.text).join(" ")).join("\n");
}
