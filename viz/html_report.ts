/**
 * Self-contained HTML reports: headings, text, figures and tables in one
 * file, with every image inlined as a data URI so the report can be mailed
 * or archived without the files it was made from.
 *
 * @module
 */

import { FormatError } from "../autograd/errors.ts";
import { readFileLimited } from "../formats/files.ts";
import { dataUri } from "./data_uri.ts";
import {
  checkTable,
  columnAlignment,
  formatCell,
  type TableCell,
  type TableOptions,
} from "./markdown_table.ts";
import { readImageHeader } from "../formats/image_header.ts";
import { PNG_SIGNATURE } from "../formats/png.ts";
import { escapeXml } from "./svg_layout.ts";

/** A table in a report section. */
export interface ReportTable extends TableOptions {
  /** Column names. */
  header: readonly string[];
  /** One array of cells per row. */
  rows: readonly (readonly TableCell[])[];
}

/** One section of an {@linkcode htmlReport}. */
export interface ReportSection {
  /** Section heading. */
  heading: string;
  /** Plain text; blank lines separate paragraphs. */
  text?: string;
  /** A figure: path of a .png/.svg file, an SVG document, or PNG/SVG bytes. */
  figure?: string | Uint8Array;
  /** A table under the figure. */
  table?: ReportTable;
}

/** Contents of {@linkcode htmlReport}. */
export interface HtmlReportOptions {
  /** Page title and top heading. */
  title: string;
  /** Sections in order. */
  sections: readonly ReportSection[];
}

/** Figures files larger than this are refused instead of being inlined. */
const MAX_FIGURE_BYTES = 64 * 2 ** 20;

const STYLE =
  `body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
img{max-width:100%;height:auto;display:block;margin:1em 0}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em}
th{background:#f3f3f3}td.right{text-align:right}td.center{text-align:center}`;

function isSvgText(text: string): boolean {
  return /^\s*(<\?xml[^>]*\?>\s*)?<svg\b/.test(text);
}

/** The figure as a data URI, reading it from disk when given a path. */
async function figureUri(figure: string | Uint8Array, where: string): Promise<string> {
  if (typeof figure === "string") {
    if (isSvgText(figure)) return dataUri(new TextEncoder().encode(figure), "image/svg+xml");
    if (!/\.(png|svg)$/i.test(figure)) {
      throw new FormatError(`${figure}: ${where} figure must be a .png or .svg file`);
    }
    return figureUri(
      await readFileLimited(figure, { maxBytes: MAX_FIGURE_BYTES, what: "figure" }),
      `${where} (${figure})`,
    );
  }
  if (PNG_SIGNATURE.every((b, i) => figure[i] === b)) {
    readImageHeader(figure, { name: where });
    return dataUri(figure, "image/png");
  }
  if (isSvgText(new TextDecoder().decode(figure.subarray(0, 512)))) {
    return dataUri(figure, "image/svg+xml");
  }
  throw new FormatError(`${where}: figure is neither PNG nor SVG`);
}

function tableHtml(table: ReportTable): string {
  checkTable(table.rows, table.header);
  const align = columnAlignment(table.rows, table.header, table);
  const head = table.header.map((h) => `<th>${escapeXml(h)}</th>`).join("");
  const body = table.rows.map((row) =>
    `<tr>${
      row.map((cell, j) => `<td class="${align[j]}">${escapeXml(formatCell(cell, table))}</td>`)
        .join("")
    }</tr>`
  );
  return `<table><thead><tr>${head}</tr></thead><tbody>${body.join("\n")}</tbody></table>`;
}

/** Builds a self-contained HTML page (no external references) from sections. */
export async function htmlReport(options: HtmlReportOptions): Promise<string> {
  const parts: string[] = [];
  for (const [i, section] of options.sections.entries()) {
    const where = `htmlReport section ${i + 1} ("${section.heading}")`;
    parts.push(`<section><h2>${escapeXml(section.heading)}</h2>`);
    for (const paragraph of (section.text ?? "").split(/\n\s*\n/)) {
      if (paragraph.trim()) parts.push(`<p>${escapeXml(paragraph.trim())}</p>`);
    }
    if (section.figure !== undefined) {
      const uri = await figureUri(section.figure, where);
      parts.push(`<img alt="${escapeXml(section.heading)}" src="${uri}">`);
    }
    if (section.table) parts.push(tableHtml(section.table));
    parts.push("</section>");
  }
  const title = escapeXml(options.title);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${title}</h1>
${parts.join("\n")}
</body>
</html>
`;
}
