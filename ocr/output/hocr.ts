/**
 * hOCR output in Tesseract's shape: an XHTML document whose body holds one
 * `ocr_page` per image, each with one `ocr_carea` holding one `ocr_par` of
 * `ocr_line` spans of `ocrx_word` spans. Every element's `title` carries its
 * `bbox x0 y0 x1 y1` (x1, y1 exclusive, full-resolution pixels); a word's
 * also its `x_wconf` (0–100, see {@linkcode wordConfidence}). The document is
 * well-formed XML: text and attribute values are escaped, and characters XML
 * does not allow (control characters, lone surrogates in a file name) become
 * U+FFFD. The head, pages and foot are separate so a command can print pages
 * as it reads them.
 *
 * @example
 * ```ts
 * import { hocrDocument } from "./hocr.ts";
 * const page = { path: "a.png", width: 40, height: 30, result: { text: "", lines: [] } };
 * console.log(hocrDocument([page]));
 * ```
 *
 * @module
 */

import type { Box } from "../box.ts";
import { type ReadPage, unionRect, wordBoxes, wordConfidence } from "./page.ts";

/** What the document says produced it (the `ocr-system` meta). */
const SYSTEM = "inkling";

/** The elements and properties these documents use (the `ocr-capabilities` meta). */
const CAPABILITIES = "ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf";

/** Everything before the first page. */
export function hocrHead(): string {
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"`,
    `    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">`,
    `<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">`,
    ` <head>`,
    `  <title></title>`,
    `  <meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>`,
    `  <meta name='ocr-system' content='${SYSTEM}'/>`,
    `  <meta name='ocr-capabilities' content='${CAPABILITIES}'/>`,
    ` </head>`,
    ` <body>`,
  ].join("\n");
}

/** Everything after the last page. */
export function hocrFoot(): string {
  return " </body>\n</html>";
}

/** Options of {@linkcode hocrPage}. */
export interface HocrPageOptions {
  /** The page's number in the document, from 1 (default 1); ids are `page_N`, `line_N_K`, …. */
  pageNumber?: number;
}

/** The `ocr_page` div of one image. */
export function hocrPage(page: ReadPage, options: HocrPageOptions = {}): string {
  const n = options.pageNumber ?? 1;
  // Like Tesseract: `ppageno` counts from 0, the ids from 1.
  const pageTitle = `image ${quoteProperty(page.path)}; bbox 0 0 ${page.width} ${page.height}; ` +
    `ppageno ${n - 1}`;
  const out = [`  <div class='ocr_page' id='page_${n}' title='${attr(pageTitle)}'>`];
  const lines = page.result.lines.filter((line) => line.words.length > 0);
  if (lines.length > 0) {
    const area = bbox(lines.flatMap((line) => line.words.flatMap(wordBoxes)));
    out.push(`   <div class='ocr_carea' id='block_${n}_1' title='${area}'>`);
    out.push(`    <p class='ocr_par' id='par_${n}_1' title='${area}'>`);
    let wordId = 0;
    lines.forEach((line, l) => {
      const lineBox = bbox(line.words.flatMap(wordBoxes));
      out.push(`     <span class='ocr_line' id='line_${n}_${l + 1}' title='${lineBox}'>`);
      for (const word of line.words) {
        const title = `${bbox(wordBoxes(word))}; x_wconf ${Math.round(wordConfidence(word))}`;
        out.push(
          `      <span class='ocrx_word' id='word_${n}_${++wordId}' title='${title}'>` +
            `${text(word.text)}</span>`,
        );
      }
      out.push(`     </span>`);
    });
    out.push(`    </p>`, `   </div>`);
  }
  out.push(`  </div>`);
  return out.join("\n");
}

/** A whole document of `pages`, numbered from 1 in order. */
export function hocrDocument(pages: readonly ReadPage[]): string {
  const body = pages.map((page, i) => hocrPage(page, { pageNumber: i + 1 }));
  return [hocrHead(), ...body, hocrFoot()].join("\n");
}

/** `bbox x0 y0 x1 y1` of the union of `boxes`. */
function bbox(boxes: readonly Box[]): string {
  const r = unionRect(boxes);
  return `bbox ${r.left} ${r.top} ${r.left + r.width} ${r.top + r.height}`;
}

/** Characters XML 1.0 does not allow anywhere, escaped or not. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text content, escaped. */
function text(value: string): string {
  return value.replace(NOT_XML, "\uFFFD").replace(/&/g, "&amp;").replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

/**
 * An attribute value, escaped for the single quotes every attribute here
 * uses (double quotes stay as they are, as in Tesseract's `image "…"`).
 */
function attr(value: string): string {
  // Whitespace other than spaces is kept as references: a parser turns it into spaces otherwise.
  return text(value).replace(/'/g, "&#39;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;")
    .replace(/\t/g, "&#9;");
}

/**
 * A property value in double quotes, as hOCR writes the image name:
 * backslashes and double quotes in it are escaped with a backslash, so a
 * reader of the `title` finds where the name ends.
 */
function quoteProperty(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
