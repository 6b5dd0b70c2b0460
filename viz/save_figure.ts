/**
 * Writing a figure to disk as both SVG (for the web and for editing) and PNG
 * (for documents and quick viewing), each file written atomically.
 *
 * @module
 */

import { writeFileAtomic } from "../formats/files.ts";
import { svgToPng, type SvgToPngOptions } from "./rasterize.ts";

/** Paths written by {@linkcode saveFigure}. */
export interface SavedFigure {
  /** The .svg file. */
  svg: string;
  /** The .png file. */
  png: string;
}

/**
 * Saves `svg` as `<path>.svg` and `<path>.png`. `path` is given without
 * extension (a trailing ".svg" or ".png" is dropped). The PNG is rendered
 * first, so an SVG that cannot be drawn leaves no files behind.
 */
export async function saveFigure(
  path: string,
  svg: string,
  options: SvgToPngOptions = {},
): Promise<SavedFigure> {
  const base = path.replace(/\.(svg|png)$/i, "");
  const png = await svgToPng(svg, options);
  const saved = { svg: `${base}.svg`, png: `${base}.png` };
  await writeFileAtomic(saved.svg, new TextEncoder().encode(svg));
  await writeFileAtomic(saved.png, png);
  return saved;
}
