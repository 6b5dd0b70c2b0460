/**
 * A run directory's report: figures saved as SVG and PNG, `report.md`
 * linking them, and a self-contained `report.html` — the shape shared by the
 * training and compression reports.
 *
 * @module
 */

import { writeFileAtomic } from "../formats/files.ts";
import { htmlReport, type ReportSection } from "./html_report.ts";
import { markdownTable } from "./markdown_table.ts";
import { saveFigure } from "./save_figure.ts";

/** A report section whose figure is named: it is saved as `<dir>/<name>.svg` and `.png`. */
export type NamedFigureSection = Omit<ReportSection, "figure"> & { figure?: string };

/** Contents of {@linkcode writeReport}. */
export interface WriteReportOptions {
  /** Top heading of both reports. */
  title: string;
  /** Figures by name, as SVG documents. */
  figures: Record<string, string>;
  /** Sections in order; `figure` names one of `figures`. */
  sections: readonly NamedFigureSection[];
}

const encoder = new TextEncoder();

/** The Markdown report: title, then each section's text, figure link and table. */
export function markdownReport(title: string, sections: readonly NamedFigureSection[]): string {
  const parts = [`# ${title}\n`];
  for (const s of sections) {
    parts.push(`## ${s.heading}\n`);
    if (s.text) parts.push(`${s.text}\n`);
    if (s.figure) parts.push(`![${s.heading}](${s.figure}.png)\n`);
    if (s.table) parts.push(markdownTable(s.table.rows, s.table.header) + "\n");
  }
  return parts.join("\n");
}

/** Saves the figures and writes report.md and report.html into `dir`; returns the .md path. */
export async function writeReport(dir: string, options: WriteReportOptions): Promise<string> {
  for (const [name, svg] of Object.entries(options.figures)) {
    await saveFigure(`${dir}/${name}`, svg);
  }
  await writeFileAtomic(
    `${dir}/report.md`,
    encoder.encode(markdownReport(options.title, options.sections)),
  );
  const html = await htmlReport({
    title: options.title,
    sections: options.sections.map((s) => ({
      ...s,
      figure: s.figure ? `${dir}/${s.figure}.png` : undefined,
    })),
  });
  await writeFileAtomic(`${dir}/report.html`, encoder.encode(html));
  return `${dir}/report.md`;
}
