/**
 * The overlay of a reading: `drawOverlay`'s boxes and word bars, plus the
 * character read above each box in a small stroke font, on a white tag so it
 * stays legible on any photo (a white band is added above the photo when
 * characters touch its top edge). Tags of characters the classifier was
 * unsure of (best probability under one half) are drawn in red.
 *
 * @module
 */

import { Image as ImageJs } from "image-js";
import type { Image } from "../image_input.ts";
import { encodePng } from "../../formats/png.ts";
import type { Box } from "../box.ts";
import type { TextLine } from "../lines.ts";
import { drawOverlay, type DrawOverlayOptions } from "../overlay.ts";
import type { ReadResult } from "../read_text.ts";
import { FONT_GRID, glyphStrokes } from "./stroke_font.ts";

const SURE = [20, 20, 20];
const UNSURE = [220, 0, 0];
const TAG = [255, 255, 255];

/** The boxes and lines of a result in the form `drawOverlay` takes, and the character per box. */
export function resultLayout(
  result: ReadResult,
): { boxes: Box[]; lines: TextLine[]; chars: { char: string; p: number }[] } {
  const boxes: Box[] = [];
  const chars: { char: string; p: number }[] = [];
  const lines = result.lines.map((line) => {
    const words = line.words.map((word) =>
      word.chars.map((c) => {
        boxes.push(c.box);
        chars.push({ char: c.char, p: c.top3[0]?.p ?? 0 });
        return boxes.length - 1;
      })
    );
    const own = words.flat().map((i) => boxes[i]);
    const box: Box = [
      Math.min(...own.map((b) => b[0])),
      Math.min(...own.map((b) => b[1])),
      Math.max(...own.map((b) => b[2])),
      Math.max(...own.map((b) => b[3])),
    ];
    return { words, box };
  });
  return { boxes, lines, chars };
}

/** Draws `result` over a shrunk RGB copy of the photo it was read from. */
export function drawReadOverlay(
  image: Image,
  result: ReadResult,
  options: DrawOverlayOptions = {},
): Image {
  const layout = resultLayout(result);
  const boxes = drawOverlay(image, layout, options);
  const scale = boxes.width / image.width;
  const thickness = Math.max(1, Math.round(Math.max(boxes.width, boxes.height) / 800));
  const pad = thickness + 1;
  const tags = layout.boxes.map((box) => {
    const height = Math.max(8, Math.min(40, Math.round(0.4 * (box[2] - box[0]) * scale)));
    return {
      height,
      width: Math.round(height * FONT_GRID.width / FONT_GRID.height),
      left: Math.round(box[1] * scale),
      top: Math.round(box[0] * scale) - height - 3 * pad,
    };
  });
  // Tags of characters at the photo's top edge go into a white band added above it.
  const band = Math.max(0, ...tags.map((tag) => -tag.top));
  const picture = band === 0 ? boxes : new ImageJs(boxes.width, boxes.height + band).fill(255);
  if (band > 0) boxes.copyTo(picture, { origin: { row: band, column: 0 }, out: picture });
  tags.forEach((tag, i) => {
    const top = tag.top + band;
    picture.drawRectangle({
      origin: { row: top, column: tag.left },
      width: tag.width + 2 * pad,
      height: tag.height + 2 * pad,
      strokeColor: TAG,
      fillColor: TAG,
      out: picture,
    });
    const color = layout.chars[i].p < 0.5 ? UNSURE : SURE;
    for (const stroke of glyphStrokes(layout.chars[i].char)) {
      const points = stroke.map(([x, y]) => ({
        row: top + pad + Math.round(y * tag.height / FONT_GRID.height),
        column: tag.left + pad + Math.round(x * tag.width / FONT_GRID.width),
      }));
      // A thick pen: the polyline repeated at small offsets.
      for (let dy = 0; dy < thickness; dy++) {
        for (let dx = 0; dx < thickness; dx++) {
          const shifted = points.map((p) => ({ row: p.row + dy, column: p.column + dx }));
          picture.drawPolyline(shifted, { strokeColor: color, out: picture });
        }
      }
    }
  });
  return picture;
}

/** {@linkcode drawReadOverlay} as PNG bytes, through Inkling's one PNG encoder. */
export function overlayPng(
  image: Image,
  result: ReadResult,
  options: DrawOverlayOptions = {},
): Promise<Uint8Array> {
  const drawn = drawReadOverlay(image, result, options);
  // Photos decode to 8 bits per sample, but a 16-bit PNG would keep its depth.
  const { width, height, channels, data } =
    (drawn.bitDepth === 8 ? drawn : drawn.convertBitDepth(8)).getRawImage();
  return encodePng({ width, height, channels: channels as 1 | 3 | 4, pixels: data as Uint8Array });
}
