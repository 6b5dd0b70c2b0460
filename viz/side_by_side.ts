/**
 * Panels next to each other with a title over each, e.g. first-layer weights
 * "after initialisation" | "after training". PNG panels are embedded as data
 * URIs and drawn pixel-exact (nearest neighbour when the figure is scaled).
 *
 * @module
 */

import { FormatError, InklingError } from "../autograd/errors.ts";
import { dataUri } from "./data_uri.ts";
import { readImageHeader } from "../formats/image_header.ts";
import { stackSvg, textSvg } from "./svg_layout.ts";

/** One panel of {@linkcode sideBySide}. */
export interface Panel {
  /** Caption above the panel. */
  title: string;
  /** PNG bytes (e.g. from `imageGrid`) or an SVG document (e.g. from `lineChart`). */
  image: Uint8Array | string;
}

/** Options of {@linkcode sideBySide}. */
export interface SideBySideOptions {
  /** Title above all panels. */
  title?: string;
  /** Space between panels, px. Default 24. */
  gap?: number;
}

function pngSvg(png: Uint8Array, source: string): string {
  const { format, width, height } = readImageHeader(png, { name: source });
  if (format !== "png") throw new FormatError(`${source}: panel images must be PNG, not JPEG`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<image width="${width}" height="${height}" image-rendering="optimizeSpeed" ` +
    `href="${dataUri(png, "image/png")}"/></svg>`;
}

/** Lays out titled panels in a row and returns the figure as an SVG string. */
export function sideBySide(panels: readonly Panel[], options: SideBySideOptions = {}): string {
  if (panels.length === 0) throw new InklingError("sideBySide: no panels");
  const row = stackSvg(
    panels.map(({ title, image }) =>
      stackSvg([
        textSvg(title, { fontSize: 13 }),
        typeof image === "string" ? image : pngSvg(image, `sideBySide panel "${title}"`),
      ], { align: "center", gap: 4, background: "none" })
    ),
    { direction: "row", gap: options.gap ?? 24, background: "none" },
  );
  const title = options.title ? [textSvg(options.title, { fontSize: 15, bold: true })] : [];
  return stackSvg([...title, row], { padding: 10, gap: 8 });
}
