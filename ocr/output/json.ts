/**
 * JSON output: lines → words → characters with their boxes and top-3
 * classes, and the image's name, one compact object per image, so several
 * images make JSON Lines (one document per line).
 *
 * @module
 */

import type { ReadResult } from "../read_text.ts";
import type { ReadPage } from "./page.ts";

/** The JSON document of one reading (without the image's name). */
export interface OcrJsonDocument {
  /** The text: words joined by one space, lines by a newline. */
  text: string;
  /** Lines top to bottom. */
  lines: {
    words: {
      text: string;
      chars: { char: string; box: number[]; top3: { char: string; p: number }[] }[];
    }[];
  }[];
}

/** Probabilities rounded down to 6 decimals, so a top-3 never sums above 1. */
const floor6 = (p: number) => Math.floor(p * 1e6) / 1e6;

/** The JSON document of `result`: its text, then lines → words → characters. */
export function jsonDocument(result: ReadResult): OcrJsonDocument {
  return {
    text: result.text,
    lines: result.lines.map((line) => ({
      words: line.words.map((word) => ({
        text: word.text,
        chars: word.chars.map((c) => ({
          char: c.char,
          box: [...c.box],
          top3: c.top3.map((g) => ({ char: g.char, p: floor6(g.p) })),
        })),
      })),
    })),
  };
}

/** One JSON Lines line for `page`: `{"path": …, "text": …, "lines": […]}`. */
export function jsonLine(page: ReadPage): string {
  return JSON.stringify({ path: page.path, ...jsonDocument(page.result) });
}
