/**
 * Tables for reports: Markdown for READMEs and logs, and the cell formatting
 * shared with the HTML report so both show the same numbers.
 *
 * @module
 */

import { ShapeError } from "../autograd/errors.ts";

/** A table cell: text as is, numbers formatted by {@linkcode formatCell}. */
export type TableCell = string | number;

/** Options of {@linkcode markdownTable} and {@linkcode formatCell}. */
export interface TableOptions {
  /** Significant digits of non-integer numbers. Default 4. */
  digits?: number;
  /** Alignment per column; default right for all-number columns, left otherwise. */
  align?: readonly ("left" | "right" | "center")[];
}

/** Integers as they are, other numbers to `digits` significant digits (no trailing zeros). */
export function formatCell(cell: TableCell, options: TableOptions = {}): string {
  if (typeof cell === "string") return cell;
  if (Number.isInteger(cell) || !Number.isFinite(cell)) return String(cell);
  return String(Number(cell.toPrecision(options.digits ?? 4)));
}

/** Checks that every row has one cell per header column. */
export function checkTable(
  rows: readonly (readonly TableCell[])[],
  header: readonly string[],
): void {
  rows.forEach((row, i) => {
    if (row.length !== header.length) {
      throw new ShapeError(`table: row ${i} has ${row.length} cells for ${header.length} columns`);
    }
  });
}

/** Per-column alignment: the given one, else right for columns holding only numbers. */
export function columnAlignment(
  rows: readonly (readonly TableCell[])[],
  header: readonly string[],
  options: TableOptions = {},
): ("left" | "right" | "center")[] {
  return header.map((_, j) =>
    options.align?.[j] ??
      (rows.length > 0 && rows.every((row) => typeof row[j] === "number") ? "right" : "left")
  );
}

function escapeMarkdown(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** A GitHub-flavoured Markdown table. */
export function markdownTable(
  rows: readonly (readonly TableCell[])[],
  header: readonly string[],
  options: TableOptions = {},
): string {
  checkTable(rows, header);
  const rule = { left: ":---", right: "---:", center: ":---:" };
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [
    line(header.map(escapeMarkdown)),
    line(columnAlignment(rows, header, options).map((a) => rule[a])),
    ...rows.map((row) => line(row.map((cell) => escapeMarkdown(formatCell(cell, options))))),
  ].join("\n") + "\n";
}
