/**
 * What every output format is given about one image, and the geometry they
 * share: boxes of words, lines and the whole text area in Tesseract's
 * `left top width height` terms, and a word's confidence.
 *
 * @module
 */

import type { Box } from "../box.ts";
import type { ReadResult, ReadWord } from "../read_text.ts";

/** One image read, as the output formats take it. */
export interface ReadPage {
  /** The image's name as the user gave it (a path, a folder entry, or "stdin"). */
  path: string;
  /** The image's width in pixels. */
  width: number;
  /** The image's height in pixels. */
  height: number;
  /** What {@linkcode readText} read on it. */
  result: ReadResult;
}

/** A box in Tesseract's terms: left, top, width and height in whole pixels. */
export interface PixelRect {
  /** First column. */
  left: number;
  /** First row. */
  top: number;
  /** Columns covered. */
  width: number;
  /** Rows covered. */
  height: number;
}

/**
 * The smallest box holding all of `boxes` (which must not be empty), as a
 * rectangle of whole pixels: boxes are half-open (see {@linkcode Box}), so
 * width is `x2 - x1` exactly as Tesseract's is `right - left`.
 */
export function unionRect(boxes: readonly Box[]): PixelRect {
  const top = Math.floor(Math.min(...boxes.map((b) => b[0])));
  const left = Math.floor(Math.min(...boxes.map((b) => b[1])));
  const bottom = Math.ceil(Math.max(...boxes.map((b) => b[2])));
  const right = Math.ceil(Math.max(...boxes.map((b) => b[3])));
  return { left, top, width: right - left, height: bottom - top };
}

/** The boxes of a word's characters. */
export function wordBoxes(word: ReadWord): Box[] {
  return word.chars.map((c) => c.box);
}

/**
 * A word's confidence, 0–100: the LOWEST top-1 probability of its characters
 * × 100. The minimum, not the mean, because one doubtful character makes the
 * whole word doubtful (a long word of sure letters would hide it in a mean),
 * which is also how Tesseract rates a word by its worst character.
 */
export function wordConfidence(word: ReadWord): number {
  if (word.chars.length === 0) return 0;
  const lowest = Math.min(...word.chars.map((c) => c.top3[0]?.p ?? 0));
  return Math.min(100, Math.max(0, lowest * 100));
}
