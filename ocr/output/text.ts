/**
 * Plain-text output: the text of each image, one line per text line. With
 * several images each is introduced by a `==> PATH <==` line, and images are
 * separated by a blank line, as `head` and `tail` do with several files.
 *
 * @module
 */

import type { ReadPage } from "./page.ts";

/** Options of {@linkcode textChunks}. */
export interface TextOptions {
  /** Introduce the page with a `==> PATH <==` line (default false). */
  header?: boolean;
  /** Whether it is the first page printed: only later ones get a blank line before (default true). */
  first?: boolean;
}

/**
 * The printed lines of one page (each chunk may hold newlines). A blank page
 * without a header prints nothing at all, so `ocr blank.png` stays silent.
 */
export function textChunks(page: ReadPage, options: TextOptions = {}): string[] {
  const chunks: string[] = [];
  if (options.header) chunks.push(`${options.first ?? true ? "" : "\n"}==> ${page.path} <==`);
  if (page.result.text !== "") chunks.push(page.result.text);
  return chunks;
}
