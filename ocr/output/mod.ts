/**
 * The output formats of `deno task ocr`, usable on any {@linkcode ReadPage}
 * (an image's name and size with what `readText` read on it): plain text
 * (`text.ts`), JSON Lines (`json.ts`), Tesseract's 12-column TSV
 * (`tsv.ts`) and Tesseract-shaped hOCR (`hocr.ts`), the shared geometry and
 * word confidence (`page.ts`), and one streaming interface over all four
 * (`formatter.ts`). Nothing here reads files or runs a model.
 *
 * @example
 * ```ts
 * import { TSV_HEADER, tsvRows } from "./mod.ts";
 * const page = { path: "a.png", width: 40, height: 30, result: { text: "", lines: [] } };
 * console.log([TSV_HEADER, ...tsvRows(page)].join("\n"));
 * ```
 *
 * @module
 */

export { type PixelRect, type ReadPage, unionRect, wordBoxes, wordConfidence } from "./page.ts";
export { TSV_HEADER, type TsvOptions, tsvRows } from "./tsv.ts";
export { hocrDocument, hocrFoot, hocrHead, hocrPage, type HocrPageOptions } from "./hocr.ts";
export { jsonDocument, jsonLine, type OcrJsonDocument } from "./json.ts";
export { textChunks, type TextOptions } from "./text.ts";
export {
  createFormatter,
  type FormatterOptions,
  isOutputFormat,
  OUTPUT_FORMATS,
  type OutputFormat,
  type OutputFormatter,
} from "./formatter.ts";
