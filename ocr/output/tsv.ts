/**
 * Tesseract's TSV output: one header line, then one row per page, text
 * block, paragraph, line and word, tab-separated in Tesseract's 12 columns.
 * As in Tesseract, `level` is 1 page, 2 block, 3 paragraph, 4 line, 5 word;
 * the numbers of the levels above a row say where it sits (0 for levels
 * below it); `conf` is -1 and `text` empty on every row but a word's. A page
 * here has one block holding one paragraph, and a blank page has only its
 * page row, as Tesseract writes it.
 *
 * @example
 * ```ts
 * import { TSV_HEADER, tsvRows } from "./tsv.ts";
 * const result = { text: "", lines: [] };
 * console.log([TSV_HEADER, ...tsvRows({ path: "a.png", width: 40, height: 30, result })].join("\n"));
 * // level  page_num  block_num  par_num  line_num  word_num  left  top  width  height  conf  text
 * // 1      1         0          0        0         0         0     0    40     30      -1
 * ```
 *
 * @module
 */

import { type PixelRect, type ReadPage, unionRect, wordBoxes, wordConfidence } from "./page.ts";

/** Tesseract's TSV header line, exactly. */
export const TSV_HEADER =
  "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext";

/** Options of {@linkcode tsvRows}. */
export interface TsvOptions {
  /** The page's number in the stream, from 1 (default 1). */
  pageNumber?: number;
}

/** The TSV rows of one page, without the header. */
export function tsvRows(page: ReadPage, options: TsvOptions = {}): string[] {
  const pageNum = options.pageNumber ?? 1;
  const pageRect = { left: 0, top: 0, width: page.width, height: page.height };
  const rows = [row([1, pageNum, 0, 0, 0, 0], pageRect, -1, "")];
  const lines = page.result.lines.filter((line) => line.words.length > 0);
  if (lines.length === 0) return rows;
  const area = unionRect(lines.flatMap((line) => line.words.flatMap(wordBoxes)));
  rows.push(row([2, pageNum, 1, 0, 0, 0], area, -1, ""));
  rows.push(row([3, pageNum, 1, 1, 0, 0], area, -1, ""));
  lines.forEach((line, l) => {
    const lineRect = unionRect(line.words.flatMap(wordBoxes));
    rows.push(row([4, pageNum, 1, 1, l + 1, 0], lineRect, -1, ""));
    line.words.forEach((word, w) => {
      const rect = unionRect(wordBoxes(word));
      rows.push(row([5, pageNum, 1, 1, l + 1, w + 1], rect, wordConfidence(word), word.text));
    });
  });
  return rows;
}

/** One row; `conf` keeps two decimals (Tesseract prints words' conf as a decimal). */
function row(ids: number[], rect: PixelRect, conf: number, text: string): string {
  const confText = conf < 0 ? "-1" : String(Math.round(conf * 100) / 100);
  // A tab or newline inside the text would shift columns or start a row.
  const cell = text.replace(/[\t\r\n]/g, " ");
  return [...ids, rect.left, rect.top, rect.width, rect.height, confText, cell].join("\t");
}
