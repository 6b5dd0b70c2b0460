/**
 * One interface over the output formats for a command that reads images one
 * after another and prints each as soon as it is read: `begin` before the
 * first, `page` for each image read, `end` after the last. Each call returns
 * the chunks to print, each followed by a newline.
 *
 * @example
 * ```ts
 * import { createFormatter } from "./formatter.ts";
 * const out = createFormatter("tsv");
 * const page = { path: "a.png", width: 40, height: 30, result: { text: "", lines: [] } };
 * for (const chunk of [...out.begin(), ...out.page(page, 1), ...out.end()]) console.log(chunk);
 * ```
 *
 * @module
 */

import { hocrFoot, hocrHead, hocrPage } from "./hocr.ts";
import { jsonLine } from "./json.ts";
import type { ReadPage } from "./page.ts";
import { textChunks } from "./text.ts";
import { TSV_HEADER, tsvRows } from "./tsv.ts";

/** The output formats, as `--format` names them. */
export const OUTPUT_FORMATS = ["text", "json", "tsv", "hocr"] as const;

/** One of {@linkcode OUTPUT_FORMATS}. */
export type OutputFormat = typeof OUTPUT_FORMATS[number];

/** Prints images one at a time in one format. */
export interface OutputFormatter {
  /** What comes before any image (a header, a document head). */
  begin(): string[];
  /**
   * One image; `pageNumber` (from 1) is its place among the inputs, so a
   * failed input keeps its number and the pages still match the input order.
   */
  page(page: ReadPage, pageNumber: number): string[];
  /** What comes after the last image. */
  end(): string[];
}

/** Options of {@linkcode createFormatter}. */
export interface FormatterOptions {
  /** Several images go to one stream: text output names each one (default false). */
  several?: boolean;
}

/** A formatter for `format`. */
export function createFormatter(
  format: OutputFormat,
  options: FormatterOptions = {},
): OutputFormatter {
  switch (format) {
    case "text": {
      let first = true;
      return {
        begin: () => [],
        page: (page) => {
          const chunks = textChunks(page, { header: options.several ?? false, first });
          first = false;
          return chunks;
        },
        end: () => [],
      };
    }
    case "json":
      return { begin: () => [], page: (page) => [jsonLine(page)], end: () => [] };
    case "tsv":
      return {
        begin: () => [TSV_HEADER],
        page: (page, pageNumber) => tsvRows(page, { pageNumber }),
        end: () => [],
      };
    case "hocr":
      return {
        begin: () => [hocrHead()],
        page: (page, pageNumber) => [hocrPage(page, { pageNumber })],
        end: () => [hocrFoot()],
      };
  }
}

/** Whether `name` is one of {@linkcode OUTPUT_FORMATS}. */
export function isOutputFormat(name: string): name is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(name);
}
