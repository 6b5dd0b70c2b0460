/**
 * Composing standalone SVG figures from pieces: text lines, a swatch legend,
 * and stacking of SVG documents in a column or a row. Plot's own titles and
 * legends are HTML, which resvg cannot draw; these are the SVG replacements.
 *
 * @module
 */

import { InklingError } from "../autograd/errors.ts";

/** Size of an SVG document in user units. */
export interface SvgSize {
  /** Width. */
  width: number;
  /** Height. */
  height: number;
}

/** Options of {@linkcode textSvg}. */
export interface TextSvgOptions {
  /** Font size in px. Default 12. */
  fontSize?: number;
  /** Bold face. Default false. */
  bold?: boolean;
  /** Text colour. Default "black". */
  color?: string;
}

/** One entry of a {@linkcode swatchLegend}. */
export interface LegendEntry {
  /** Text shown next to the swatch. */
  label: string;
  /** Any CSS colour. */
  color: string;
}

/** Options of {@linkcode stackSvg}. */
export interface StackOptions {
  /** "column" puts parts under each other, "row" next to each other. Default "column". */
  direction?: "column" | "row";
  /** Space between parts. Default 8. */
  gap?: number;
  /** Space around the whole figure. Default 0. */
  padding?: number;
  /** Cross-axis alignment of parts of different sizes. Default "start". */
  align?: "start" | "center";
  /** Fill of the figure's background, or "none". Default "white". */
  background?: string;
}

const SVG_NS = "http://www.w3.org/2000/svg";
const FONT_FAMILY = "system-ui, sans-serif";

/** Escapes text for use in SVG/HTML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Width of a line of text, estimated from character classes with the advance
 * widths of DejaVu Sans (in em); close enough to lay out titles and legends
 * without loading the font, which keeps figure functions pure.
 */
export function estimateTextWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const ch of text) {
    if (/[il.,:;'|!]/.test(ch)) em += 0.28;
    else if (/[fjrtI()[\] ]/.test(ch)) em += 0.36;
    else if (/[mwMW]/.test(ch)) em += 0.95;
    else if (/[A-Z]/.test(ch)) em += 0.74;
    else if (/[0-9]/.test(ch)) em += 0.64;
    else em += 0.62;
  }
  // 4% + 2 px of slack: measured DejaVu text came out up to 3% wider than the sum.
  return Math.ceil(em * fontSize * (bold ? 1.12 : 1) * 1.04 + 2);
}

/** Reads `width`/`height` (or the `viewBox`) of an SVG document's root element. */
export function svgSize(svg: string): SvgSize {
  const root = svg.match(/<svg\b[^>]*>/)?.[0];
  if (!root) throw new InklingError("svgSize: the text holds no <svg> element");
  const attribute = (name: string) => root.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];
  const width = parseFloat(attribute("width") ?? "");
  const height = parseFloat(attribute("height") ?? "");
  if (width > 0 && height > 0) return { width, height };
  const box = (attribute("viewBox") ?? "").trim().split(/[\s,]+/).map(Number);
  if (box.length === 4 && box[2] > 0 && box[3] > 0) return { width: box[2], height: box[3] };
  throw new InklingError("svgSize: the root <svg> has neither width/height nor a viewBox");
}

function svgDocument(size: SvgSize, body: string, background = "none"): string {
  const { width, height } = size;
  const fill = background === "none"
    ? ""
    : `<rect width="100%" height="100%" fill="${escapeXml(background)}"/>`;
  // overflow: a nested <svg> clips to its box, and text widths here are estimates.
  return `<svg xmlns="${SVG_NS}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" overflow="visible" font-family="${FONT_FAMILY}">${fill}${body}</svg>`;
}

/** One line of text as an SVG document sized to (an estimate of) the text. */
export function textSvg(text: string, options: TextSvgOptions = {}): string {
  const fontSize = options.fontSize ?? 12;
  const bold = options.bold ?? false;
  const width = Math.max(1, estimateTextWidth(text, fontSize, bold));
  const height = Math.ceil(fontSize * 1.3);
  return svgDocument(
    { width, height },
    `<text x="0" y="${fontSize}" font-size="${fontSize}"${bold ? ' font-weight="bold"' : ""} ` +
      `fill="${escapeXml(options.color ?? "black")}">${escapeXml(text)}</text>`,
  );
}

/**
 * A legend of coloured line swatches with labels, laid out in rows that wrap
 * at `maxWidth`.
 */
export function swatchLegend(
  entries: readonly LegendEntry[],
  options: { maxWidth?: number; fontSize?: number } = {},
): string {
  const fontSize = options.fontSize ?? 11;
  const maxWidth = options.maxWidth ?? 640;
  const rowHeight = Math.ceil(fontSize * 1.6);
  const swatch = 18;
  let x = 0;
  let y = 0;
  let width = 0;
  const items: string[] = [];
  for (const { label, color } of entries) {
    const itemWidth = swatch + 5 + estimateTextWidth(label, fontSize);
    if (x > 0 && x + itemWidth > maxWidth) {
      x = 0;
      y += rowHeight;
    }
    const mid = y + rowHeight / 2;
    items.push(
      `<line x1="${x}" x2="${x + swatch}" y1="${mid}" y2="${mid}" stroke="${
        escapeXml(color)
      }" stroke-width="3"/>`,
      `<text x="${x + swatch + 5}" y="${mid}" dy="0.35em" font-size="${fontSize}">${
        escapeXml(label)
      }</text>`,
    );
    width = Math.max(width, x + itemWidth);
    x += itemWidth + 16;
  }
  return svgDocument({ width: Math.max(1, width), height: y + rowHeight }, items.join(""));
}

/**
 * Places SVG documents under each other (or side by side) in one standalone
 * SVG; each part keeps its own coordinate system.
 */
export function stackSvg(parts: readonly string[], options: StackOptions = {}): string {
  if (parts.length === 0) throw new InklingError("stackSvg: nothing to stack");
  const column = (options.direction ?? "column") === "column";
  const gap = options.gap ?? 8;
  const padding = options.padding ?? 0;
  const sizes = parts.map(svgSize);
  const along = (s: SvgSize) => column ? s.height : s.width;
  const across = (s: SvgSize) => column ? s.width : s.height;
  const crossExtent = Math.max(...sizes.map(across));
  const body: string[] = [];
  let offset = padding;
  parts.forEach((part, i) => {
    const shift = padding +
      (options.align === "center" ? (crossExtent - across(sizes[i])) / 2 : 0);
    const [x, y] = column ? [shift, offset] : [offset, shift];
    // An XML declaration may only start a document, so drop it from nested parts.
    const inner = part.replace(/^\s*<\?xml[^>]*\?>/, "");
    body.push(`<g transform="translate(${x},${y})">${inner}</g>`);
    offset += along(sizes[i]) + gap;
  });
  const mainExtent = offset - gap + padding;
  const crossTotal = crossExtent + 2 * padding;
  return svgDocument(
    column ? { width: crossTotal, height: mainExtent } : { width: mainExtent, height: crossTotal },
    body.join(""),
    options.background ?? "white",
  );
}
