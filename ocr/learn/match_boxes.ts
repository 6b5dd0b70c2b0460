/**
 * Pairing a page's characters with its true text: line by line, the boxes
 * of each line (left to right, as OCR orders them) take the truth line's
 * characters in order, spaces ignored. Nothing is guessed: a page whose
 * number of lines, or a line whose number of characters, differs from the
 * truth is a {@linkcode TruthMismatchError} naming the page and line, with
 * both counts and the text read next to the text expected, so the user sees
 * at once whether the photo split a letter, joined two, or the truth has a
 * typo.
 *
 * @module
 */

import { InklingError } from "../../autograd/errors.ts";
import type { PageCrops } from "./page_crops.ts";

/** A page whose characters do not pair up with its true text. */
export class TruthMismatchError extends InklingError {
  /** The page's name. */
  readonly page: string;
  /** The line (1-based) that differs: the first whose character count differs. */
  readonly line: number;
  /** What the photo has there: lines (when the line counts differ) or characters. */
  readonly found: number;
  /** What the truth has there. */
  readonly expected: number;

  /** Describes the mismatch in `message`. */
  constructor(
    message: string,
    where: { page: string; line: number; found: number; expected: number },
  ) {
    super(message);
    this.page = where.page;
    this.line = where.line;
    this.found = where.found;
    this.expected = where.expected;
  }
}

/** Options of {@linkcode matchBoxes}. */
export interface MatchBoxesOptions {
  /** The model's class names in output order. */
  classes: string;
  /** The truth file's name in messages (default: "the truth of PAGE"). */
  truthName?: string;
}

/**
 * The lines of a transcription: one per text line, trailing spaces and blank
 * lines dropped (a blank line has no characters to pair with boxes).
 */
export function truthLines(text: string): string[] {
  return text.split(/\r\n?|\n/).map((line) => line.trim()).filter((line) => line !== "");
}

/**
 * The class of a true character: the class of that name, else the one that
 * differs only in case (OCR folds case, so "a" is the class "A" of a model
 * without lower-case classes); -1 when there is none.
 */
export function classIndexOf(char: string, classes: string): number {
  const exact = classes.indexOf(char);
  if (exact >= 0) return exact;
  const upper = char.toUpperCase();
  return [...classes].findIndex((c) => c.toUpperCase() === upper);
}

/**
 * The class index of every crop of `page` (rows of `page.crops`, reading
 * order), taken from `truth` (the page's text, one line per written line).
 * Throws an {@linkcode InklingError} naming the truth for a character the
 * model has no class for, and a {@linkcode TruthMismatchError} when the
 * lines or a line's characters do not pair up.
 */
export function matchBoxes(page: PageCrops, truth: string, options: MatchBoxesOptions): Int32Array {
  const { classes } = options;
  const truthName = options.truthName ?? `the truth of ${page.name}`;
  const expected = truthLines(truth).map((line) => ({
    line,
    chars: [...line.replace(/\s+/g, "")],
  }));
  expected.forEach(({ chars }, k) => {
    const unknown = chars.find((c) => classIndexOf(c, classes) < 0);
    if (unknown !== undefined) {
      throw new InklingError(
        `${truthName}: line ${k + 1} has ${JSON.stringify(unknown)}, which the model has no ` +
          `class for (its classes are ${classes}); leave it out of the truth`,
      );
    }
  });
  const found = page.lines;
  const differs = (k: number) =>
    k >= found.length || k >= expected.length || found[k].rows.length !== expected[k].chars.length;
  // With unequal line counts some line always differs: at the latest the first one missing.
  let first = 0;
  while (first < Math.max(found.length, expected.length) - 1 && !differs(first)) first++;
  const shown = (k: number) => {
    const read = found[k]?.read ?? "";
    const want = expected[k]?.line ?? "";
    const readCount = found[k]?.rows.length ?? 0;
    const wantCount = expected[k]?.chars.length ?? 0;
    return `read ${JSON.stringify(read)} (${readCount} characters), expected ` +
      `${JSON.stringify(want)} (${wantCount})`;
  };
  if (found.length !== expected.length) {
    throw new TruthMismatchError(
      `${page.name}: ${found.length} lines of writing found, ${truthName} has ` +
        `${expected.length}; line ${first + 1} is the first that differs: ${shown(first)}`,
      { page: page.name, line: first + 1, found: found.length, expected: expected.length },
    );
  }
  const labels = new Int32Array(page.crops.shape[0]);
  found.forEach((line, k) => {
    const { chars } = expected[k];
    if (line.rows.length !== chars.length) {
      throw new TruthMismatchError(
        `${page.name}: line ${k + 1} has ${line.rows.length} characters in the photo and ` +
          `${chars.length} in ${truthName}: ${shown(k)} (spaces are not counted)`,
        { page: page.name, line: k + 1, found: line.rows.length, expected: chars.length },
      );
    }
    line.rows.forEach((row, i) => labels[row] = classIndexOf(chars[i], classes));
  });
  return labels;
}
